/**
 * `cursor`: runs the Cursor Agent CLI (`agent -p --output-format stream-json`) as the agent for each
 * heartbeat, resuming the task's Cursor chat. The type is `cursor` (not `cursor_local`), as in
 * Paperclip. Metadata for the registry and the board; the work is in server/, the viewer parts in ui/ and cli/.
 */
import type { BuiltinAdapter, ServerAdapterModule } from "../types.js";
import { schemaConfigValidator, schemaMaxRunSeconds, sessionIdCodec } from "../utils/adapter-config.js";
import { cursorConfigSchema } from "./config.js";
import { CURSOR_TYPE, executeCursor } from "./server/execute.js";
import { testCursorEnvironment } from "./server/test.js";

export const type = CURSOR_TYPE;
export const label = "Cursor Agent (local)";

export const models = [
  { id: "auto", label: "Auto (Cursor picks)" },
  { id: "sonnet-4.5", label: "Claude Sonnet 4.5" },
  { id: "gpt-5", label: "GPT-5" },
];

export const agentConfigurationDoc = [
  "# cursor adapter",
  "Runs the Cursor Agent CLI for each heartbeat: `agent -p --output-format stream-json --workspace <cwd> [--resume <id>] [--model m] [--mode m] [--yolo] [extraArgs]`, the prompt on stdin. The task's chat is resumed with --resume; a chat Cursor no longer has is retried once fresh.",
  "- cwd (absolute path): working directory, also passed as --workspace; default: the agent's workspace or home",
  "- model (string): passed as --model, e.g. auto; `agent --list-models` lists them",
  "- mode (\"plan\" | \"ask\"): Cursor's read-only modes, passed as --mode; leave it out to let the agent edit",
  "- promptTemplate (string): placeholders {{agent.name}}, {{agentId}}, {{runId}}, {{taskTitle}}, {{wakeReason}}, …",
  "- command (string, default \"agent\"): executable name on PATH or absolute path",
  "- extraArgs (string[]): appended to the command line; --yolo is added unless it holds --trust, --yolo, -f or --force",
  "- env (object): extra environment, e.g. CURSOR_API_KEY as a secret_ref (runs are then billed as API use, else as the logged-in subscription); PAPERCLIP_* names are reserved",
  "- timeoutSec (number, 0 = none), graceSec (number, default 20)",
  "Tokens come from the result's usage (or step_finish tokens), cost from total_cost_usd/cost_usd/cost; the summary is the result text.",
].join("\n");

export const cursorAdapterModule: ServerAdapterModule = {
  type,
  execute: executeCursor,
  testEnvironment: testCursorEnvironment,
  sessionCodec: sessionIdCodec,
  sessionManagement: { supportsSessionResume: true, nativeContextManagement: "unknown" },
  supportsLocalAgentJwt: true,
  runtimeToolDelivery: "environment",
  models,
  agentConfigurationDoc,
};

export const cursorAdapter: BuiltinAdapter = {
  module: cursorAdapterModule,
  validateConfig: schemaConfigValidator(cursorConfigSchema),
  // Two attempts at most: a stale chat is retried once with a fresh one.
  maxRunSeconds: schemaMaxRunSeconds(cursorConfigSchema, 2),
};
