/**
 * One heartbeat of a `cursor` agent: `agent -p --output-format stream-json --workspace <cwd>
 * [--resume <id>] …` with the prompt on stdin, resuming the task's Cursor chat when one is stored.
 * Billing is Cursor's: a subscription unless the agent runs with its own CURSOR_API_KEY. A stored chat
 * Cursor no longer has is retried once with a fresh one.
 */
import type { AdapterExecutionContext, AdapterExecutionResult } from "../../types.js";
import { SpawnSetupError, runChildProcess, type RunProcessResult } from "../../utils/child-process.js";
import { buildRunEnv, composeChildEnv, redactEnv, runCwd } from "../../utils/env.js";
import { renderRunPrompt } from "../../utils/template.js";
import { cursorConfigSchema, hasCursorApiKey, type CursorConfig } from "../config.js";
import { classifyCursorFailure, isUnknownCursorSession, retryNotBeforeFrom } from "./errors.js";
import { CursorStreamParser, truncateSummary, type CursorParseState } from "./parse.js";

export const CURSOR_TYPE = "cursor";

/** Flags that already grant the headless agent its permissions; with none of them we add `--yolo`. */
const TRUST_FLAGS = new Set(["--trust", "--yolo", "-f", "--force"]);

/** argv after the command. The prompt is never in argv: it goes on stdin. */
export function buildCursorArgs(config: Pick<CursorConfig, "model" | "mode" | "extraArgs">, cwd: string, sessionId: string | null): string[] {
  const args = ["-p", "--output-format", "stream-json", "--workspace", cwd];
  if (sessionId) args.push("--resume", sessionId);
  if (config.model) args.push("--model", config.model);
  if (config.mode) args.push("--mode", config.mode);
  if (!config.extraArgs.some((a) => TRUST_FLAGS.has(a))) args.push("--yolo");
  args.push(...config.extraArgs);
  return args;
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
  parsed: CursorParseState;
  stderr: string;
}

const failed = (a: Attempt) => a.proc.exitCode !== 0 || a.parsed.isError || a.parsed.errors.length > 0;
/** What a failure says about itself: error events/results and stderr — not the agent's own messages. */
const failureText = (a: Attempt) => [...a.parsed.errors, a.stderr].join("\n");

export async function executeCursor(ctx: AdapterExecutionContext): Promise<AdapterExecutionResult> {
  const parsedConfig = cursorConfigSchema.safeParse(ctx.config ?? {});
  if (!parsedConfig.success) {
    const message = parsedConfig.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`).join("; ");
    return { exitCode: null, signal: null, timedOut: false, errorCode: "adapter_config_invalid", errorMessage: message };
  }
  const config = parsedConfig.data;
  const cwd = runCwd(ctx, config.cwd);
  const prompt = renderRunPrompt(ctx, config.promptTemplate);
  const env = composeChildEnv(config.env, buildRunEnv(ctx, cwd));

  const attempt = async (sessionId: string | null): Promise<Attempt> => {
    const args = buildCursorArgs(config, cwd, sessionId);
    await ctx.onMeta?.({
      adapterType: CURSOR_TYPE,
      command: config.command,
      cwd,
      commandArgs: args,
      commandNotes: [sessionId ? `resuming Cursor chat ${sessionId}` : "starting a new Cursor chat", "prompt sent on stdin"],
      env: redactEnv(env),
      prompt,
    });
    const parser = new CursorStreamParser();
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
    if (resumedSessionId && !run.proc.timedOut && !run.proc.cancelled && failed(run) && isUnknownCursorSession(failureText(run))) {
      await ctx.onLog("stderr", `[switchboard] Cursor chat ${resumedSessionId} no longer exists; retrying with a fresh chat\n`);
      clearSession = true;
      resumedSessionId = null;
      run = await attempt(null);
    }
  } catch (err) {
    if (err instanceof SpawnSetupError) {
      const hint = err.code === "command_not_found" ? ' (install the Cursor Agent CLI with "curl https://cursor.com/install -fsS | bash" or set adapterConfig.command)' : "";
      return { exitCode: null, signal: null, timedOut: false, errorCode: err.code, errorMessage: err.message + hint };
    }
    throw err;
  }
  return resultOf(run, config, { resumedSessionId, clearSession });
}

function resultOf(run: Attempt, config: CursorConfig, session: { resumedSessionId: string | null; clearSession: boolean }): AdapterExecutionResult {
  const { proc, parsed } = run;
  const resultJson: Record<string, unknown> = {
    stdout: proc.stdoutExcerpt,
    stderr: proc.stderrExcerpt,
    sessionId: parsed.sessionId,
    resumedSessionId: session.resumedSessionId,
    subtype: parsed.subtype,
    isError: parsed.isError,
    durationMs: parsed.durationMs,
    toolCalls: parsed.toolCalls,
    toolErrors: parsed.toolErrors,
  };
  const base: AdapterExecutionResult = {
    exitCode: proc.exitCode,
    signal: proc.signal,
    timedOut: false,
    ...(parsed.usage ? { usage: { ...parsed.usage }, usageBasis: "per_run" as const } : {}),
    costUsd: parsed.costUsd,
    provider: "cursor",
    biller: "cursor",
    model: parsed.model ?? config.model ?? null,
    billingType: hasCursorApiKey(config.env) ? "api" : "subscription",
    summary: truncateSummary(parsed.resultText ?? parsed.lastAssistantText),
    resultJson,
  };
  if (parsed.sessionId) {
    Object.assign(base, { sessionId: parsed.sessionId, sessionParams: { sessionId: parsed.sessionId }, sessionDisplayId: parsed.sessionId });
  } else if (session.clearSession) {
    base.clearSession = true;
  }

  if (proc.timedOut) return { ...base, timedOut: true, errorCode: "timeout", errorMessage: `Cursor Agent timed out after ${config.timeoutSec}s` };
  if (!failed(run)) {
    if (parsed.hasResult) return base;
    return { ...base, errorCode: "adapter_failed", errorMessage: "Cursor Agent exited without a result event (is the command really the Cursor Agent CLI with --output-format stream-json?)" };
  }

  const how = proc.exitCode === null ? `was killed by ${proc.signal ?? "a signal"}` : proc.exitCode === 0 ? "reported an error" : `exited with code ${proc.exitCode}`;
  const detail = parsed.errors.at(-1) ?? lastLine(run.stderr);
  const errorMessage = `Cursor Agent ${how}${detail ? `: ${detail.slice(0, 1000)}` : ""}`;
  const evidence = failureText(run);
  const kind = classifyCursorFailure(evidence);
  if (kind === "auth_required") {
    return { ...base, errorCode: "auth_required", errorMessage: `${errorMessage} (run "agent login" as the server's user, or set CURSOR_API_KEY in adapterConfig.env)` };
  }
  if (kind === "provider_quota") {
    const retryNotBefore = retryNotBeforeFrom(evidence);
    return { ...base, errorCode: "provider_quota", errorFamily: "provider_quota", ...(retryNotBefore ? { retryNotBefore } : {}), errorMessage };
  }
  if (kind === "unknown_session") {
    // Even a fresh chat was refused: do not keep pointing at it.
    const { sessionId: _s, sessionParams: _p, sessionDisplayId: _d, ...rest } = base;
    return { ...rest, clearSession: true, errorCode: "adapter_failed", errorMessage };
  }
  return { ...base, errorCode: "adapter_failed", errorMessage };
}
