/**
 * `codex_local`: runs the OpenAI Codex CLI (`codex exec --json`) as the agent, resuming the task's
 * Codex thread (`codex exec … resume <thread_id> -`) when one is stored. Execution lives in server/, the
 * transcript parser and form builder in ui/, the terminal printer in cli/.
 */
import type { BuiltinAdapter, ServerAdapterModule } from "../types.js";
import { schemaConfigValidator, schemaMaxRunSeconds, sessionIdCodec } from "../utils/adapter-config.js";
import { codexConfigSchema } from "./config.js";
import { CODEX_TYPE, executeCodex } from "./server/execute.js";
import { testCodexEnvironment } from "./server/test.js";

export const type = CODEX_TYPE;
export const label = "Codex (local)";

export const agentConfigurationDoc = [
  "# codex_local adapter",
  "Runs the OpenAI Codex CLI non-interactively: `codex exec --json … -` with the prompt on stdin, or `codex exec --json … resume <thread_id> -` when the task has a stored thread.",
  "- command (string, default \"codex\"): executable path or name on PATH",
  "- cwd (absolute path): working directory; default: the agent's own home under the data directory ($AGENT_HOME)",
  "- model (string): passed as -m",
  "- promptTemplate (string): the prompt; placeholders such as {{agent.name}}, {{agentId}}, {{runId}}, {{taskId}}, {{taskTitle}}, {{wakeReason}}; unknown ones are left as written",
  "- extraArgs (string[]): more `codex exec` arguments, placed before `resume` and the `-`",
  "- bypassApprovalsAndSandbox (boolean, default false): adds --dangerously-bypass-approvals-and-sandbox",
  "- env (object): extra environment (e.g. OPENAI_API_KEY as a secret_ref); PAPERCLIP_* names are reserved",
  "- timeoutSec (number, 0 = none), graceSec (number, default 15)",
  "Tokens come from turn.completed events (cost is not reported by Codex); the summary is the last agent message.",
  "A thread Codex no longer knows is retried once with a new thread; a usage limit fails with errorCode provider_quota and retryNotBefore.",
].join("\n");

export const codexSessionCodec = sessionIdCodec;

export const codexLocalAdapterModule: ServerAdapterModule = {
  type,
  execute: executeCodex,
  testEnvironment: testCodexEnvironment,
  sessionCodec: codexSessionCodec,
  supportsLocalAgentJwt: true,
  models: [],
  agentConfigurationDoc,
};

export const codexLocalAdapter: BuiltinAdapter = {
  module: codexLocalAdapterModule,
  validateConfig: schemaConfigValidator(codexConfigSchema),
  // Two attempts at most: a stale thread is retried once with a fresh one.
  maxRunSeconds: schemaMaxRunSeconds(codexConfigSchema, 2),
};
