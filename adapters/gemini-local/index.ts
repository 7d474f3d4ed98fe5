/**
 * `gemini_local`: runs the Google Gemini CLI headless as the agent (`gemini --output-format
 * stream-json … --prompt <prompt>`), resumes its session across heartbeats with `--resume <id>`, and
 * reports tokens, session and a summary parsed from the stream. This file holds the metadata and
 * wiring; the work is in server/ (execute, parse, environment test), ui/ and cli/.
 */
import type { AdapterModel, BuiltinAdapter, ServerAdapterModule } from "../types.js";
import { schemaConfigValidator, schemaMaxRunSeconds, sessionIdCodec } from "../utils/adapter-config.js";
import { geminiConfigSchema } from "./config.js";
import { GEMINI_ADAPTER_TYPE, executeGemini } from "./server/execute.js";
import { testGeminiEnvironment } from "./server/test.js";

export const type = GEMINI_ADAPTER_TYPE;
export const label = "Gemini CLI (local)";

export const models: AdapterModel[] = [
  { id: "auto", label: "Auto (the CLI picks)" },
  { id: "pro", label: "Gemini Pro (latest)" },
  { id: "flash", label: "Gemini Flash (latest)" },
  { id: "flash-lite", label: "Gemini Flash-Lite (latest)" },
  { id: "gemini-2.5-pro", label: "Gemini 2.5 Pro" },
  { id: "gemini-2.5-flash", label: "Gemini 2.5 Flash" },
];

export const agentConfigurationDoc = [
  "# gemini_local adapter",
  "Runs the Google Gemini CLI headless for each heartbeat: `gemini --output-format stream-json [--resume <id>] [--model m] --approval-mode yolo (--sandbox | --sandbox=none) [extraArgs] --prompt <prompt>`.",
  "- command (string, default \"gemini\"): executable name on PATH or absolute path",
  "- cwd (absolute path): working directory; default: the agent's own home under the data directory ($AGENT_HOME). Gemini keeps sessions per directory, so keep it stable",
  "- model (string): passed as --model (auto, pro, flash, flash-lite or a model name); default: the CLI's own",
  "- promptTemplate (string): the prompt; {{agent.name}}, {{agentId}}, {{runId}}, {{wakeReason}}, {{taskTitle}} … are substituted",
  "- sandbox (boolean, default false): true passes --sandbox (the CLI's container sandbox), false passes --sandbox=none",
  "- extraArgs (string[]): more CLI arguments, placed before --prompt",
  "- env (object): extra environment; values are strings or secret bindings; PAPERCLIP_* names are reserved. GEMINI_API_KEY or GOOGLE_API_KEY bills the run to that key (billingType api); without one the CLI's own login is used (subscription)",
  "  Headless defaults the env may override: TERM=dumb, NO_BROWSER=true, GEMINI_CLI_TRUST_WORKSPACE=true (so folder trust cannot downgrade --approval-mode yolo)",
  "- timeoutSec (number, 0 = none), graceSec (number, default 20)",
  "Tokens come from the result event's stats (inputTokens = uncached prompt tokens, cachedInputTokens = cached ones); the CLI reports no cost. A stored session the CLI no longer knows is retried once fresh. Quota errors fail with provider_quota and, when the message names one, retryNotBefore.",
].join("\n");

export const geminiLocalAdapterModule: ServerAdapterModule = {
  type,
  execute: executeGemini,
  testEnvironment: testGeminiEnvironment,
  sessionCodec: sessionIdCodec,
  sessionManagement: { supportsSessionResume: true, nativeContextManagement: "likely" },
  supportsLocalAgentJwt: true,
  runtimeToolDelivery: "environment",
  models,
  agentConfigurationDoc,
};

export const geminiLocalAdapter: BuiltinAdapter = {
  module: geminiLocalAdapterModule,
  validateConfig: schemaConfigValidator(geminiConfigSchema),
  // Two attempts at most: a stale session is retried once with a fresh one.
  maxRunSeconds: schemaMaxRunSeconds(geminiConfigSchema, 2),
};
