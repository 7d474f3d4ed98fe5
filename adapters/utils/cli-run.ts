/**
 * The parts of a CLI adapter's `execute` that are the same for every runtime, so each adapter holds
 * only what its runtime does differently: the session to resume, one spawn of the CLI with stdout fed
 * to the adapter's streaming parser (and stderr's tail kept to classify a failure), the "retry once
 * with a fresh session" loop, and the result shapes of a run that never started or lost its session.
 */
import type { z } from "zod";
import type { AdapterExecutionContext, AdapterExecutionResult } from "../types.js";
import { SpawnSetupError, runChildProcess, type RunProcessResult } from "./child-process.js";
import { redactEnv } from "./env.js";

/** The session id the previous run of this task stored (`sessionParams.sessionId`, else the legacy id). */
export function storedSessionId(ctx: Pick<AdapterExecutionContext, "runtime">): string | null {
  const fromParams = ctx.runtime.sessionParams?.sessionId;
  if (typeof fromParams === "string" && fromParams) return fromParams;
  return typeof ctx.runtime.sessionId === "string" && ctx.runtime.sessionId ? ctx.runtime.sessionId : null;
}

/** The last non-blank line: where CLIs put the error that ended them. */
export function lastLine(text: string): string | null {
  return text.split("\n").map((l) => l.trim()).filter(Boolean).at(-1) ?? null;
}

/** A result for a run that never started (bad config, missing command, unusable directory). */
export function failedBeforeRun(errorCode: string, errorMessage: string): AdapterExecutionResult {
  return { exitCode: null, signal: null, timedOut: false, errorCode, errorMessage };
}

/** Every problem of an invalid config, each with its path: "cwd: must be absolute; extraArgs: …". */
export function configIssuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`).join("; ");
}

/** `adapter_config_invalid` with every problem of the config. */
export function invalidConfigResult(error: z.ZodError, prefix = ""): AdapterExecutionResult {
  return failedBeforeRun("adapter_config_invalid", prefix + configIssuesText(error));
}

/**
 * The result for a CLI that could not be started (`command_not_found` with how to install it, or
 * `invalid_cwd`); any other error is not a setup problem and is thrown on.
 */
function spawnSetupFailure(err: unknown, installHint: string): AdapterExecutionResult {
  if (!(err instanceof SpawnSetupError)) throw err;
  return failedBeforeRun(err.code, err.code === "command_not_found" ? `${err.message} (${installHint})` : err.message);
}

/** "exited with code 2", "was killed by SIGKILL", or `zeroExit` for a failure the CLI reported while exiting 0. */
export function exitDescription(proc: Pick<RunProcessResult, "exitCode" | "signal">, zeroExit = "reported an error"): string {
  if (proc.exitCode === null) return `was killed by ${proc.signal ?? "a signal"}`;
  return proc.exitCode === 0 ? zeroExit : `exited with code ${proc.exitCode}`;
}

/**
 * The session fields of a result: the runtime's session when it reported one, else `clearSession`
 * when the stored one was dropped (so the next run does not resume a session that is gone).
 */
export function sessionFields(sessionId: string | null, opts: { clearWhenMissing: boolean; displayId?: string }): Partial<AdapterExecutionResult> {
  if (sessionId) return { sessionId, sessionParams: { sessionId }, sessionDisplayId: opts.displayId ?? sessionId };
  return opts.clearWhenMissing ? { clearSession: true } : {};
}

/** `result` without its session, marked to clear the stored one: the runtime refused even a fresh session. */
export function withoutSession(result: AdapterExecutionResult): AdapterExecutionResult {
  const { sessionId: _id, sessionParams: _params, sessionDisplayId: _display, ...rest } = result;
  return { ...rest, clearSession: true };
}

/** A streaming parser of a CLI's stdout: fed each chunk as it arrives, asked for its summary at exit. */
export interface StreamParser<S> {
  push(chunk: string): void;
  end(): S;
}

export interface CliAttempt<S> {
  proc: RunProcessResult;
  parsed: S;
  /** The end of stderr: where CLIs explain a failure. */
  stderrTail: string;
}

export interface CliSessionRun<S> {
  adapterType: string;
  command: string;
  cwd: string;
  env: Record<string, string>;
  /** What the invocation card shows of `env`; default: `redactEnv(env)`. */
  shownEnv?: Record<string, string>;
  prompt: string;
  /** Send the prompt on stdin (argv has a per-argument size limit a long prompt would overflow); else `args` carries it. */
  promptOnStdin: boolean;
  limits: { timeoutSec: number; graceSec: number };
  /** How much of stderr to keep for classifying a failure; default 16 KiB. */
  stderrTailChars?: number;
  /** The session to resume; null starts fresh. */
  storedSession: string | null;
  args: (sessionId: string | null) => string[];
  notes: (sessionId: string | null) => string[];
  parser: () => StreamParser<S>;
  /** The attempt failed because the runtime no longer knows the session it was given. */
  isStaleSession: (attempt: CliAttempt<S>) => boolean;
  /** Logged before the fresh retry. */
  retryNotice: string;
  /** Added to `command_not_found`: how to install the CLI or point at it. */
  installHint: string;
}

export type CliSessionOutcome<S> =
  | {
      started: true;
      /** The attempt whose result counts. */
      run: CliAttempt<S>;
      /** The session that attempt resumed; null when it started fresh. */
      resumedSessionId: string | null;
      /** The stored session was given up because the runtime no longer knew it. */
      retriedFresh: boolean;
    }
  | { started: false; result: AdapterExecutionResult };

const STDERR_TAIL_CHARS = 16 * 1024;

/**
 * One run of the CLI: reports the invocation, streams both outputs to the run log, feeds stdout to the
 * parser and keeps stderr's tail. Throws `SpawnSetupError` when the CLI cannot be started.
 */
async function attemptOnce<S>(ctx: Pick<AdapterExecutionContext, "onLog" | "onMeta" | "onSpawn" | "signal">, spec: CliSessionRun<S>, sessionId: string | null): Promise<CliAttempt<S>> {
  const { command, cwd, env } = spec;
  const args = spec.args(sessionId);
  await ctx.onMeta?.({ adapterType: spec.adapterType, command, cwd, commandArgs: args, commandNotes: spec.notes(sessionId), env: spec.shownEnv ?? redactEnv(env), prompt: spec.prompt });
  const parser = spec.parser();
  const keep = spec.stderrTailChars ?? STDERR_TAIL_CHARS;
  let stderrTail = "";
  const proc = await runChildProcess(command, args, {
    cwd,
    env,
    timeoutSec: spec.limits.timeoutSec,
    graceSec: spec.limits.graceSec,
    ...(spec.promptOnStdin ? { stdin: spec.prompt } : {}),
    onLog: async (stream, chunk) => {
      if (stream === "stdout") parser.push(chunk);
      else stderrTail = (stderrTail + chunk).slice(-keep);
      await ctx.onLog(stream, chunk);
    },
    ...(ctx.onSpawn ? { onSpawn: ctx.onSpawn } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  return { proc, parsed: parser.end(), stderrTail };
}

/**
 * Runs the CLI with the stored session and, when that attempt fails because the runtime no longer
 * knows the session, logs why and runs once more with a fresh one. A timed-out or cancelled attempt
 * is never retried: that would double the time a person waits for nothing. A CLI that cannot be
 * started gives its setup result (`command_not_found`, `invalid_cwd`) instead of a run.
 */
export async function runCliSession<S>(ctx: Pick<AdapterExecutionContext, "onLog" | "onMeta" | "onSpawn" | "signal">, spec: CliSessionRun<S>): Promise<CliSessionOutcome<S>> {
  const stored = spec.storedSession;
  try {
    const first = await attemptOnce(ctx, spec, stored);
    if (!stored || first.proc.timedOut || first.proc.cancelled || !spec.isStaleSession(first)) {
      return { started: true, run: first, resumedSessionId: stored, retriedFresh: false };
    }
    await ctx.onLog("stderr", `[switchboard] ${spec.retryNotice}\n`);
    return { started: true, run: await attemptOnce(ctx, spec, null), resumedSessionId: null, retriedFresh: true };
  } catch (err) {
    return { started: false, result: spawnSetupFailure(err, spec.installHint) };
  }
}
