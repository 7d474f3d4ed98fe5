/**
 * `claude_local`: runs Claude Code (`claude --print - --output-format stream-json --verbose`, prompt on
 * stdin) as the agent, resumes its conversation across heartbeats with `--resume <sessionId>`, and
 * reports tokens, cost and a summary parsed from the stream. Execution lives in server/, the
 * transcript parser and form builder in ui/, the terminal printer in cli/.
 */
import type { BuiltinAdapter, ServerAdapterModule } from "../types.js";
import { schemaConfigValidator, schemaMaxRunSeconds, sessionIdCodec } from "../utils/adapter-config.js";
import { claudeConfigSchema } from "./config.js";
import { CLAUDE_TYPE, executeClaude } from "./server/execute.js";
import { testClaudeEnvironment } from "./server/test.js";

export const type = CLAUDE_TYPE;
export const label = "Claude Code (local)";

export const models = [
  { id: "opus", label: "Claude Opus (latest)" },
  { id: "sonnet", label: "Claude Sonnet (latest)" },
  { id: "haiku", label: "Claude Haiku (latest)" },
];

export const agentConfigurationDoc = [
  "# claude_local adapter",
  "Runs Claude Code (`claude --print - --output-format stream-json --verbose`, the prompt on stdin) for each heartbeat and resumes its session with --resume.",
  "- command (string, default \"claude\"): executable name on PATH or absolute path",
  "- cwd (absolute path): working directory; default: the agent's workspace or home",
  "- model (string): passed as --model",
  "- promptTemplate (string): placeholders such as {{agent.name}}, {{agentId}}, {{runId}}, {{taskId}}, {{taskTitle}}, {{wakeReason}}; unknown ones are left as written",
  "- extraArgs (string[]): appended to the command line",
  "- env (object): extra environment; values are strings or secret bindings; PAPERCLIP_* names are reserved",
  "- dangerouslySkipPermissions (boolean): adds --dangerously-skip-permissions",
  "- timeoutSec (number, 0 = none), graceSec (number, default 20)",
  "A usage limit fails the run with errorCode provider_quota and the reset time (retryNotBefore) when Claude names one.",
].join("\n");

export const claudeSessionCodec = sessionIdCodec;

export const claudeLocalAdapterModule: ServerAdapterModule = {
  type,
  execute: executeClaude,
  testEnvironment: testClaudeEnvironment,
  sessionCodec: claudeSessionCodec,
  supportsLocalAgentJwt: true,
  models,
  agentConfigurationDoc,
};

export const claudeLocalAdapter: BuiltinAdapter = {
  module: claudeLocalAdapterModule,
  validateConfig: schemaConfigValidator(claudeConfigSchema),
  // Two attempts at most: a stale session is retried once with a fresh one.
  maxRunSeconds: schemaMaxRunSeconds(claudeConfigSchema, 2),
};
