/**
 * `opencode_local`: runs OpenCode (`opencode run --format json`) as the agent for each heartbeat,
 * resuming the task's OpenCode session, with tokens and cost from its `step_finish` events.
 * Metadata for the registry and the board; the work is in server/, the viewer parts in ui/ and cli/.
 */
import type { BuiltinAdapter, ServerAdapterModule } from "../types.js";
import { schemaConfigValidator, schemaMaxRunSeconds, sessionIdCodec } from "../utils/adapter-config.js";
import { opencodeConfigSchema } from "./config.js";
import { OPENCODE_TYPE, executeOpencode } from "./server/execute.js";
import { testOpencodeEnvironment } from "./server/test.js";

export const type = OPENCODE_TYPE;
export const label = "OpenCode (local)";

export const models = [
  { id: "anthropic/claude-sonnet-4-5", label: "Anthropic Claude Sonnet 4.5" },
  { id: "anthropic/claude-opus-4-1", label: "Anthropic Claude Opus 4.1" },
  { id: "openai/gpt-5", label: "OpenAI GPT-5" },
  { id: "google/gemini-2.5-pro", label: "Google Gemini 2.5 Pro" },
];

export const agentConfigurationDoc = [
  "# opencode_local adapter",
  "Runs OpenCode non-interactively for each heartbeat: `opencode run --format json [--session <id>] --model <provider/model> [--variant v] [extraArgs]`, the prompt on stdin. The task's OpenCode session is resumed with --session; a session OpenCode no longer has is retried once fresh.",
  "- model (string, REQUIRED): `provider/model`, e.g. `anthropic/claude-sonnet-4-5`; `opencode models` lists them",
  "- variant (string): provider-specific reasoning effort, passed as --variant (e.g. high, max, minimal)",
  "- dangerouslySkipPermissions (boolean, default true): allow every tool permission through OPENCODE_CONFIG_CONTENT, since a headless run cannot answer a prompt",
  "- cwd (absolute path): working directory; default: the agent's workspace or home",
  "- promptTemplate (string): placeholders {{agent.name}}, {{agentId}}, {{runId}}, {{taskTitle}}, {{wakeReason}}, …",
  "- command (string, default \"opencode\"): executable name on PATH or absolute path",
  "- extraArgs (string[]): appended to the command line",
  "- env (object): extra environment, e.g. ANTHROPIC_API_KEY as a secret_ref; PAPERCLIP_* names are reserved. OPENCODE_DISABLE_PROJECT_CONFIG=true is always set",
  "- timeoutSec (number, 0 = none), graceSec (number, default 20)",
  "Tokens are summed over step_finish events (output includes reasoning tokens; cached = cache reads); cost is the sum of their cost; the summary is the last text.",
].join("\n");

export const opencodeLocalAdapterModule: ServerAdapterModule = {
  type,
  execute: executeOpencode,
  testEnvironment: testOpencodeEnvironment,
  sessionCodec: sessionIdCodec,
  sessionManagement: { supportsSessionResume: true, nativeContextManagement: "unknown" },
  supportsLocalAgentJwt: true,
  runtimeToolDelivery: "environment",
  models,
  agentConfigurationDoc,
};

export const opencodeLocalAdapter: BuiltinAdapter = {
  module: opencodeLocalAdapterModule,
  validateConfig: schemaConfigValidator(opencodeConfigSchema),
  // Two attempts at most: a stale session is retried once with a fresh one.
  maxRunSeconds: schemaMaxRunSeconds(opencodeConfigSchema, 2),
};
