/**
 * `pi_local`: the Pi coding agent (npm `@mariozechner/pi-coding-agent`, command `pi`) as a
 * Switchboard agent. Metadata and the built-in adapter entry; the work is in server/, the run
 * viewer's transcript in ui/, the terminal printer in cli/.
 */
import type { BuiltinAdapter, ServerAdapterModule } from "../types.js";
import { schemaConfigValidator, schemaMaxRunSeconds } from "../utils/adapter-config.js";
import { piConfigSchema } from "./config.js";
import { PI_ADAPTER_TYPE, executePi } from "./server/execute.js";
import { piSessionCodec } from "./server/session-files.js";
import { testPiEnvironment } from "./server/test.js";

export const type = PI_ADAPTER_TYPE;
export const label = "Pi (local)";

export const models = [
  { id: "anthropic/claude-sonnet-4-5", label: "Anthropic Claude Sonnet 4.5" },
  { id: "anthropic/claude-opus-4-5", label: "Anthropic Claude Opus 4.5" },
  { id: "openai/gpt-5", label: "OpenAI GPT-5" },
  { id: "google/gemini-2.5-pro", label: "Google Gemini 2.5 Pro" },
];

export const agentConfigurationDoc = [
  "# pi_local adapter",
  "Runs the Pi coding agent for each heartbeat: `pi --mode json -p [--append-system-prompt <file>] --provider <p> --model <id> [--thinking <level>] --session <file> [extraArgs] <prompt>`.",
  "The conversation lives in a session file under the agent's home (`.pi-sessions/`); the next run of the same task resumes it.",
  "- model (string, required): provider/model, e.g. \"anthropic/claude-sonnet-4-5\"",
  "- cwd (absolute path): working directory; default: the agent's home under the data directory",
  "- instructionsFilePath (path, absolute or relative to cwd): appended to Pi's system prompt",
  "- promptTemplate (string): the prompt; {{agent.name}}, {{agentId}}, {{runId}}, {{taskTitle}}, {{wakeReason}}, … are substituted",
  "- thinking (off|minimal|low|medium|high|xhigh): passed as --thinking",
  "- command (string, default \"pi\"): executable name on PATH or absolute path",
  "- extraArgs (string[]): more Pi arguments, placed before the prompt",
  "- env (object): extra environment (e.g. ANTHROPIC_API_KEY as a secret_ref); PAPERCLIP_* names are reserved",
  "- timeoutSec (number, 0 = none), graceSec (number, default 20)",
  "Tokens and cost are summed over Pi's assistant messages; the summary is the last assistant text.",
].join("\n");

export const piLocalAdapterModule: ServerAdapterModule = {
  type,
  execute: executePi,
  testEnvironment: testPiEnvironment,
  sessionCodec: piSessionCodec,
  sessionManagement: { supportsSessionResume: true, nativeContextManagement: "unknown" },
  supportsLocalAgentJwt: true,
  runtimeToolDelivery: "environment",
  models,
  agentConfigurationDoc,
};

export const piLocalAdapter: BuiltinAdapter = {
  module: piLocalAdapterModule,
  validateConfig: schemaConfigValidator(piConfigSchema),
  // Two attempts at most: a session Pi cannot load is retried once with a fresh one.
  maxRunSeconds: schemaMaxRunSeconds(piConfigSchema, 2),
};
