/**
 * `process`: runs any executable as the agent. Beyond Paperclip's version it validates its config up
 * front (a string `args` is an error, not silently ignored), hands the process every wake and
 * workspace variable, and gives it the rendered prompt as a file (and on stdin when asked).
 * Execution lives in server/, the transcript parser and form builder in ui/, the terminal printer in cli/.
 */
import type { BuiltinAdapter, ServerAdapterModule } from "../types.js";
import { schemaConfigValidator, schemaMaxRunSeconds, sessionIdCodec } from "../utils/adapter-config.js";
import { processConfigSchema } from "./config.js";
import { PROCESS_TYPE, executeProcess } from "./server/execute.js";
import { testProcessEnvironment } from "./server/test.js";

export const type = PROCESS_TYPE;
export const label = "Process";

export const agentConfigurationDoc = [
  "# process adapter",
  "Runs an executable directly (argv, no shell) for each heartbeat.",
  "- command (string, required): executable path or name on PATH",
  "- args (string[]): arguments; a single string is rejected",
  "- cwd (absolute path): working directory; default: the agent's own home under the data directory ($AGENT_HOME)",
  "- env (object): extra environment; each value a string, {type:\"plain\", value} or {type:\"secret_ref\", secretId, version?} (resolved when a run starts); PAPERCLIP_* names are reserved",
  "- timeoutSec (number, 0 = none), graceSec (number, default 15): SIGTERM after the timeout, SIGKILL after the grace",
  "- promptTemplate (string): the prompt; placeholders such as {{agent.name}}, {{agentId}}, {{runId}}, {{taskId}}, {{taskTitle}}, {{wakeReason}}; unknown ones are left as written",
  "- promptDelivery (\"file\" | \"stdin\" | \"both\", default \"file\"): the prompt is always in the file $PAPERCLIP_PROMPT_FILE; with stdin or both it is also written to the process's stdin",
  "The process gets PAPERCLIP_AGENT_ID, PAPERCLIP_COMPANY_ID, PAPERCLIP_API_URL, PAPERCLIP_RUN_ID, PAPERCLIP_API_KEY, the wake variables (PAPERCLIP_TASK_ID, PAPERCLIP_WAKE_REASON, PAPERCLIP_WAKE_COMMENT_ID, …) and the workspace variables (PAPERCLIP_WORKSPACE_CWD, AGENT_HOME, …).",
  "The process may write JSON to $SWITCHBOARD_RESULT_FILE: {sessionId, usage:{inputTokens,outputTokens,cachedInputTokens}, costUsd, provider, model, billingType, summary}.",
  "The next run for the same task gets the session back as $SWITCHBOARD_SESSION_ID.",
].join("\n");

export const processAdapterModule: ServerAdapterModule = {
  type,
  execute: executeProcess,
  testEnvironment: testProcessEnvironment,
  sessionCodec: sessionIdCodec,
  supportsLocalAgentJwt: true,
  runtimeToolDelivery: "environment",
  models: [],
  agentConfigurationDoc,
};

export const processAdapter: BuiltinAdapter = {
  module: processAdapterModule,
  validateConfig: schemaConfigValidator(processConfigSchema),
  maxRunSeconds: schemaMaxRunSeconds(processConfigSchema),
};
