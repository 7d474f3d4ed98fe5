/**
 * `process`: runs any executable as the agent. Beyond Paperclip's version it validates its config up
 * front (a string `args` is an error, not silently ignored) and hands the process the wake variables.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AdapterExecutionContext, AdapterExecutionResult, BuiltinAdapter, ServerAdapterModule } from "../types.js";
import { buildPaperclipEnv, composeChildEnv, redactEnv } from "../utils/env.js";
import { SpawnSetupError, runChildProcess } from "../utils/child-process.js";
import { processConfigSchema } from "./config.js";
import { readResultFile } from "./result-file.js";
import { schemaConfigValidator, schemaMaxRunSeconds, sessionIdCodec } from "../utils/adapter-config.js";
import { testProcessEnvironment } from "./test.js";

export const type = "process";

async function execute(ctx: AdapterExecutionContext): Promise<AdapterExecutionResult> {
  const parsed = processConfigSchema.safeParse(ctx.config);
  if (!parsed.success) {
    return { exitCode: null, signal: null, timedOut: false, errorCode: "adapter_config_invalid", errorMessage: parsed.error.issues.map((i) => i.message).join("; ") };
  }
  const config = parsed.data;
  const workspace = (ctx.context.paperclipWorkspace ?? {}) as { cwd?: unknown; agentHome?: unknown; source?: unknown };
  const cwd = config.cwd ?? (typeof workspace.cwd === "string" ? workspace.cwd : os.tmpdir());
  const apiUrl = typeof ctx.context.paperclipApiUrl === "string" ? ctx.context.paperclipApiUrl : "";
  const runtimeEnv = buildPaperclipEnv({
    agentId: ctx.agent.id,
    companyId: ctx.agent.companyId,
    apiUrl,
    runId: ctx.runId,
    authToken: ctx.authToken,
    context: ctx.context,
  });
  // A run-private directory for the result file: nothing shared between runs or agents.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-run-"));
  const resultFile = path.join(scratch, "result.json");
  const sessionId = typeof ctx.runtime.sessionParams?.sessionId === "string" ? ctx.runtime.sessionParams.sessionId : null;
  const env = composeChildEnv(config.env, {
    ...runtimeEnv,
    SWITCHBOARD_RESULT_FILE: resultFile,
    ...(sessionId ? { SWITCHBOARD_SESSION_ID: sessionId } : {}),
    ...(ctx.runtime.taskKey ? { SWITCHBOARD_TASK_KEY: ctx.runtime.taskKey } : {}),
    PAPERCLIP_WORKSPACE_CWD: cwd,
    ...(typeof workspace.source === "string" ? { PAPERCLIP_WORKSPACE_SOURCE: workspace.source } : {}),
    ...(typeof workspace.agentHome === "string" ? { AGENT_HOME: workspace.agentHome } : {}),
  });
  await ctx.onMeta?.({ adapterType: type, command: config.command, cwd, commandArgs: config.args, env: redactEnv(env) });
  try {
    const result = await runChildProcess(config.command, config.args, {
      cwd,
      env,
      timeoutSec: config.timeoutSec,
      graceSec: config.graceSec,
      onLog: ctx.onLog,
      ...(ctx.onSpawn ? { onSpawn: ctx.onSpawn } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    const { reported, problem } = readResultFile(resultFile);
    if (problem) await ctx.onLog("stderr", `[switchboard] ${problem}\n`);
    const resultJson = { stdout: result.stdoutExcerpt, stderr: result.stderrExcerpt };
    const base = { ...reported, signal: result.signal, resultJson };
    if (result.timedOut) {
      return { ...base, exitCode: result.exitCode, timedOut: true, errorMessage: `Timed out after ${config.timeoutSec}s`, errorCode: "timeout" };
    }
    if (result.exitCode !== 0) {
      const how = result.exitCode === null ? `was killed by ${result.signal ?? "a signal"}` : `exited with code ${result.exitCode}`;
      return { ...base, exitCode: result.exitCode, timedOut: false, errorMessage: `Process ${how}` };
    }
    return { ...base, exitCode: 0, timedOut: false };
  } catch (err) {
    if (err instanceof SpawnSetupError) {
      return { exitCode: null, signal: null, timedOut: false, errorCode: err.code, errorMessage: err.message };
    }
    throw err;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

export const processAdapterModule: ServerAdapterModule = {
  type,
  execute,
  testEnvironment: testProcessEnvironment,
  sessionCodec: sessionIdCodec,
  supportsLocalAgentJwt: true,
  models: [],
  agentConfigurationDoc: [
    "# process adapter",
    "Runs an executable directly (argv, no shell) for each heartbeat.",
    "- command (string, required): executable path or name on PATH",
    "- args (string[]): arguments; a single string is rejected",
    "- cwd (absolute path): working directory; default: the agent's own home under the data directory ($AGENT_HOME)",
    "- env (object): extra environment; each value a string, {type:\"plain\", value} or {type:\"secret_ref\", secretId, version?} (resolved when a run starts); PAPERCLIP_* names are reserved",
    "- timeoutSec (number, 0 = none), graceSec (number, default 15): SIGTERM after the timeout, SIGKILL after the grace",
    "The process may write JSON to $SWITCHBOARD_RESULT_FILE: {sessionId, usage:{inputTokens,outputTokens,cachedInputTokens}, costUsd, provider, model, billingType, summary}.",
    "The next run for the same task gets the session back as $SWITCHBOARD_SESSION_ID.",
  ].join("\n"),
};

export const processAdapter: BuiltinAdapter = {
  module: processAdapterModule,
  validateConfig: schemaConfigValidator(processConfigSchema),
  maxRunSeconds: schemaMaxRunSeconds(processConfigSchema),
};
