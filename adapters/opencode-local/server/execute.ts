/**
 * One heartbeat of an `opencode_local` agent: `opencode run --format json [--session <id>] --model
 * provider/model …` with the prompt on stdin, resuming the task's OpenCode session when one is stored.
 * Tokens and cost come from the `step_finish` events; a stored session OpenCode no longer has is
 * retried once with a fresh one.
 */
import type { AdapterExecutionContext, AdapterExecutionResult } from "../../types.js";
import { SpawnSetupError, runChildProcess, type RunProcessResult } from "../../utils/child-process.js";
import { buildRunEnv, composeChildEnv, redactEnv, runCwd } from "../../utils/env.js";
import { renderRunPrompt } from "../../utils/template.js";
import { opencodeConfigSchema, providerOfModel, type OpencodeConfig } from "../config.js";
import { classifyOpencodeFailure, isUnknownOpencodeSession, retryNotBeforeFrom } from "./errors.js";
import { OpencodeJsonlParser, truncateSummary, type OpencodeParseState } from "./parse.js";

export const OPENCODE_TYPE = "opencode_local";

/** argv after the command. The prompt is never in argv: it goes on stdin. */
export function buildOpencodeArgs(config: Pick<OpencodeConfig, "model" | "variant" | "extraArgs">, sessionId: string | null): string[] {
  const args = ["run", "--format", "json"];
  if (sessionId) args.push("--session", sessionId);
  args.push("--model", config.model);
  if (config.variant) args.push("--variant", config.variant);
  args.push(...config.extraArgs);
  return args;
}

/**
 * OpenCode reads a whole runtime config from `OPENCODE_CONFIG_CONTENT`. Headless runs cannot answer a
 * permission prompt, so with `dangerouslySkipPermissions` every permission (including paths outside
 * the working directory) is allowed; a config the agent's env already carries is kept and extended.
 */
export function opencodeRuntimeEnv(config: Pick<OpencodeConfig, "dangerouslySkipPermissions">, configuredContent: unknown): Record<string, string> {
  const env: Record<string, string> = { OPENCODE_DISABLE_PROJECT_CONFIG: "true" };
  if (!config.dangerouslySkipPermissions) return env;
  let base: Record<string, unknown> = {};
  if (typeof configuredContent === "string" && configuredContent.trim()) {
    try {
      const parsed: unknown = JSON.parse(configuredContent);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) base = parsed as Record<string, unknown>;
    } catch {
      // Not JSON: OpenCode would reject it too; replace it with ours rather than pass garbage on.
    }
  }
  const permission = base.permission && typeof base.permission === "object" && !Array.isArray(base.permission) ? (base.permission as Record<string, unknown>) : {};
  env.OPENCODE_CONFIG_CONTENT = JSON.stringify({ ...base, permission: { ...permission, "*": "allow", external_directory: "allow" } });
  return env;
}

function storedSessionId(ctx: AdapterExecutionContext): string | null {
  const fromParams = ctx.runtime.sessionParams?.sessionId;
  if (typeof fromParams === "string" && fromParams) return fromParams;
  return typeof ctx.runtime.sessionId === "string" && ctx.runtime.sessionId ? ctx.runtime.sessionId : null;
}

function lastLine(value: string): string | null {
  const lines = value.split("\n").map((l) => l.trim()).filter(Boolean);
  return lines.at(-1) ?? null;
}

interface Attempt {
  proc: RunProcessResult;
  parsed: OpencodeParseState;
  stderr: string;
}

const failed = (a: Attempt) => a.proc.exitCode !== 0 || a.parsed.errors.length > 0;
/** What a failure says about itself: error events and stderr — not stdout, where the agent's own words are. */
const failureText = (a: Attempt) => [...a.parsed.errors.map((e) => e.message), a.stderr].join("\n");

export async function executeOpencode(ctx: AdapterExecutionContext): Promise<AdapterExecutionResult> {
  const parsedConfig = opencodeConfigSchema.safeParse(ctx.config ?? {});
  if (!parsedConfig.success) {
    const message = parsedConfig.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`).join("; ");
    return { exitCode: null, signal: null, timedOut: false, errorCode: "adapter_config_invalid", errorMessage: message };
  }
  const config = parsedConfig.data;
  const cwd = runCwd(ctx, config.cwd);
  const prompt = renderRunPrompt(ctx, config.promptTemplate);
  const env = composeChildEnv(config.env, { ...buildRunEnv(ctx, cwd), ...opencodeRuntimeEnv(config, config.env.OPENCODE_CONFIG_CONTENT) });
  // The agent's own OpenCode config may carry provider keys, and once merged it no longer matches the
  // secret value the log scrubber knows: never show it on the invocation card.
  const shownEnv = redactEnv(env);
  if ("OPENCODE_CONFIG_CONTENT" in config.env) shownEnv.OPENCODE_CONFIG_CONTENT = "***REDACTED***";

  const attempt = async (sessionId: string | null): Promise<Attempt> => {
    const args = buildOpencodeArgs(config, sessionId);
    await ctx.onMeta?.({
      adapterType: OPENCODE_TYPE,
      command: config.command,
      cwd,
      commandArgs: args,
      commandNotes: [sessionId ? `resuming OpenCode session ${sessionId}` : "starting a new OpenCode session", "prompt sent on stdin"],
      env: shownEnv,
      prompt,
    });
    const parser = new OpencodeJsonlParser();
    let stderr = "";
    const proc = await runChildProcess(config.command, args, {
      cwd,
      env,
      timeoutSec: config.timeoutSec,
      graceSec: config.graceSec,
      stdin: prompt,
      onLog: async (stream, chunk) => {
        if (stream === "stdout") parser.push(chunk);
        else stderr = (stderr + chunk).slice(-16 * 1024);
        await ctx.onLog(stream, chunk);
      },
      ...(ctx.onSpawn ? { onSpawn: ctx.onSpawn } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    return { proc, parsed: parser.end(), stderr };
  };

  let resumedSessionId = storedSessionId(ctx);
  let clearSession = false;
  let run: Attempt;
  try {
    run = await attempt(resumedSessionId);
    if (resumedSessionId && !run.proc.timedOut && !run.proc.cancelled && failed(run) && isUnknownOpencodeSession(failureText(run))) {
      await ctx.onLog("stderr", `[switchboard] OpenCode session ${resumedSessionId} no longer exists; retrying with a fresh session\n`);
      clearSession = true;
      resumedSessionId = null;
      run = await attempt(null);
    }
  } catch (err) {
    if (err instanceof SpawnSetupError) {
      const hint = err.code === "command_not_found" ? ' (install OpenCode with "npm install -g opencode-ai" or set adapterConfig.command)' : "";
      return { exitCode: null, signal: null, timedOut: false, errorCode: err.code, errorMessage: err.message + hint };
    }
    throw err;
  }
  return resultOf(run, config, { resumedSessionId, clearSession });
}

function resultOf(run: Attempt, config: OpencodeConfig, session: { resumedSessionId: string | null; clearSession: boolean }): AdapterExecutionResult {
  const { proc, parsed } = run;
  const provider = providerOfModel(config.model);
  const summary = truncateSummary(parsed.lastText);
  const resultJson: Record<string, unknown> = {
    stdout: proc.stdoutExcerpt,
    stderr: proc.stderrExcerpt,
    sessionId: parsed.sessionId,
    resumedSessionId: session.resumedSessionId,
    steps: parsed.steps,
    toolErrors: parsed.toolErrors,
    errors: parsed.errors,
  };
  const base: AdapterExecutionResult = {
    exitCode: proc.exitCode,
    signal: proc.signal,
    timedOut: false,
    usage: { ...parsed.usage },
    usageBasis: "per_run",
    costUsd: parsed.costUsd,
    provider,
    biller: provider,
    model: config.model,
    billingType: "api",
    summary,
    resultJson,
  };
  if (parsed.sessionId) {
    Object.assign(base, { sessionId: parsed.sessionId, sessionParams: { sessionId: parsed.sessionId }, sessionDisplayId: parsed.sessionId });
  } else if (session.clearSession) {
    base.clearSession = true;
  }

  if (proc.timedOut) return { ...base, timedOut: true, errorCode: "timeout", errorMessage: `OpenCode timed out after ${config.timeoutSec}s` };
  if (!failed(run)) return base;

  const how = proc.exitCode === null ? `was killed by ${proc.signal ?? "a signal"}` : proc.exitCode === 0 ? "reported an error" : `exited with code ${proc.exitCode}`;
  const detail = parsed.errors.at(-1)?.message ?? lastLine(run.stderr);
  const errorMessage = `OpenCode ${how}${detail ? `: ${detail.slice(0, 1000)}` : ""}`;
  const kind = classifyOpencodeFailure(parsed.errors, run.stderr);
  if (kind === "auth_required") {
    return { ...base, errorCode: "auth_required", errorMessage: `${errorMessage} (log in with "opencode auth login" as the server's user, or set the provider's API key, e.g. ${provider.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_API_KEY, in adapterConfig.env)` };
  }
  if (kind === "provider_quota") {
    const retryNotBefore = retryNotBeforeFrom(failureText(run));
    return { ...base, errorCode: "provider_quota", errorFamily: "provider_quota", ...(retryNotBefore ? { retryNotBefore } : {}), errorMessage };
  }
  if (kind === "unknown_session") {
    // Even a fresh session was refused: do not keep pointing at it.
    const { sessionId: _s, sessionParams: _p, sessionDisplayId: _d, ...rest } = base;
    return { ...rest, clearSession: true, errorCode: "adapter_failed", errorMessage };
  }
  return { ...base, errorCode: "adapter_failed", errorMessage };
}
