/**
 * `hermes_local`: Nous Research's Hermes Agent CLI (`hermes chat -q`) as a Switchboard agent.
 * Metadata and the built-in adapter entry; the work is in server/, the run viewer's transcript in
 * ui/, the terminal printer in cli/.
 */
import type { BuiltinAdapter, ServerAdapterModule } from "../types.js";
import { schemaConfigValidator, schemaMaxRunSeconds, sessionIdCodec } from "../utils/adapter-config.js";
import { hermesConfigSchema } from "./config.js";
import { HERMES_ADAPTER_TYPE, executeHermes } from "./server/execute.js";
import { testHermesEnvironment } from "./server/test.js";

export const type = HERMES_ADAPTER_TYPE;
export const label = "Hermes Agent (local)";

export const models = [
  { id: "anthropic/claude-sonnet-4", label: "Claude Sonnet 4 (OpenRouter)" },
  { id: "nousresearch/hermes-4-405b", label: "Hermes 4 405B (OpenRouter)" },
  { id: "openai/gpt-5", label: "GPT-5 (OpenRouter)" },
];

export const agentConfigurationDoc = [
  "# hermes_local adapter",
  "Runs the Hermes Agent CLI for each heartbeat: `hermes chat -q <prompt> [-Q] [-m model] [--provider p] [-t toolsets] [--max-turns n] [-v] --source tool --yolo [--resume <sessionId>] [extraArgs]`.",
  "The session id Hermes prints (`session_id: …`) is stored and resumed by the next run of the same task.",
  "- model (string): passed as -m (default: Hermes' own config.yaml default)",
  "- provider (string): auto, openrouter, nous, openai-codex, zai, kimi-coding, minimax, …; passed as --provider (auto = let Hermes decide)",
  "- toolsets (string \"web,terminal\" or string[]): passed as -t",
  "- maxTurns (integer): passed as --max-turns",
  "- persistSession (boolean, default true): false starts a new session every run",
  "- quiet (boolean, default true): -Q, only the reply and the session id; verbose (boolean): -v",
  "- hermesCommand (string, default \"hermes\"; `command` also accepted): executable name on PATH or absolute path",
  "- cwd (absolute path): working directory; default: the agent's home under the data directory",
  "- promptTemplate (string): {{agentId}}, {{agentName}}, {{companyId}}, {{runId}}, {{taskId}}, {{taskTitle}}, {{taskBody}}, {{wakeReason}}, … are substituted",
  "- extraArgs (string[]): appended to the command line",
  "- env (object): extra environment (e.g. OPENROUTER_API_KEY as a secret_ref); PAPERCLIP_* names are reserved",
  "- timeoutSec (number, default 300, 0 = none), graceSec (number, default 10)",
  "Tokens and cost are read from Hermes' `tokens: … input … output` and `cost: $…` lines when it prints them; the summary is the reply text.",
].join("\n");

export const hermesLocalAdapterModule: ServerAdapterModule = {
  type,
  execute: executeHermes,
  testEnvironment: testHermesEnvironment,
  sessionCodec: sessionIdCodec,
  sessionManagement: { supportsSessionResume: true, nativeContextManagement: "confirmed" },
  supportsLocalAgentJwt: true,
  runtimeToolDelivery: "environment",
  models,
  agentConfigurationDoc,
};

export const hermesLocalAdapter: BuiltinAdapter = {
  module: hermesLocalAdapterModule,
  validateConfig: schemaConfigValidator(hermesConfigSchema),
  // Two attempts at most: a session Hermes no longer knows is retried once with a fresh one.
  maxRunSeconds: schemaMaxRunSeconds(hermesConfigSchema, 2),
};
