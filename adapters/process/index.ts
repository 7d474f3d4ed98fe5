/**
 * `process`: runs any executable as the agent. Beyond Paperclip's version it validates its config up
 * front (a string `args` is an error, not silently ignored) and hands the process the wake variables.
 */
import type { AdapterExecutionContext, AdapterExecutionResult, BuiltinAdapter, ServerAdapterModule } from "../types.js";
import { buildPaperclipEnv, composeChildEnv, redactEnv } from "../utils/env.js";
import { SpawnSetupError, runChildProcess } from "../utils/child-process.js";
import { processConfigSchema } from "./config.js";
import { testProcessEnvironment } from "./test.js";

export const type = "process";

async function execute(ctx: AdapterExecutionContext): Promise<AdapterExecutionResult> {
  const parsed = processConfigSchema.safeParse(ctx.config);
  if (!parsed.success) {
    return { exitCode: null, signal: null, timedOut: false, errorCode: "adapter_config_invalid", errorMessage: parsed.error.issues.map((i) => i.message).join("; ") };
  }
  const config = parsed.data;
  const cwd = config.cwd ?? process.cwd();
  const apiUrl = typeof ctx.context.paperclipApiUrl === "string" ? ctx.context.paperclipApiUrl : "";
  const runtimeEnv = buildPaperclipEnv({
    agentId: ctx.agent.id,
    companyId: ctx.agent.companyId,
    apiUrl,
    runId: ctx.runId,
    authToken: ctx.authToken,
    context: ctx.context,
  });
  const env = composeChildEnv(config.env, runtimeEnv);
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
    const resultJson = { stdout: result.stdoutExcerpt, stderr: result.stderrExcerpt };
    if (result.timedOut) {
      return { exitCode: result.exitCode, signal: result.signal, timedOut: true, errorMessage: `Timed out after ${config.timeoutSec}s`, errorCode: "timeout", resultJson };
    }
    if (result.exitCode !== 0) {
      const how = result.exitCode === null ? `was killed by ${result.signal ?? "a signal"}` : `exited with code ${result.exitCode}`;
      return { exitCode: result.exitCode, signal: result.signal, timedOut: false, errorMessage: `Process ${how}`, resultJson };
    }
    return { exitCode: 0, signal: result.signal, timedOut: false, resultJson };
  } catch (err) {
    if (err instanceof SpawnSetupError) {
      return { exitCode: null, signal: null, timedOut: false, errorCode: err.code, errorMessage: err.message };
    }
    throw err;
  }
}

export const processAdapterModule: ServerAdapterModule = {
  type,
  execute,
  testEnvironment: testProcessEnvironment,
  supportsLocalAgentJwt: true,
  models: [],
  agentConfigurationDoc: [
    "# process adapter",
    "Runs an executable directly (argv, no shell) for each heartbeat.",
    "- command (string, required): executable path or name on PATH",
    "- args (string[]): arguments; a single string is rejected",
    "- cwd (absolute path): working directory",
    "- env (object of strings): extra environment; PAPERCLIP_* names are reserved",
    "- timeoutSec (number, 0 = none), graceSec (number, default 15): SIGTERM after the timeout, SIGKILL after the grace",
  ].join("\n"),
};

export const processAdapter: BuiltinAdapter = {
  module: processAdapterModule,
  validateConfig(config) {
    const parsed = processConfigSchema.safeParse(config ?? {});
    return parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  },
  maxRunSeconds(config) {
    const parsed = processConfigSchema.safeParse(config);
    if (!parsed.success || parsed.data.timeoutSec === 0) return 24 * 3600;
    return parsed.data.timeoutSec + Math.max(1, parsed.data.graceSec);
  },
};
