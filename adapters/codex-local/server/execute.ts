/**
 * `codex_local` execute: runs `codex exec --json …` (or `codex exec resume <thread_id> --json …` when
 * the task has a stored thread), parses its JSONL events and maps them to a result. A stored thread
 * Codex no longer knows is retried once with a fresh thread; a usage limit is `provider_quota` with
 * the time it resets when the message names one. Tokens come from `turn.completed`; Codex reports no cost.
 */
import type { AdapterExecutionContext, AdapterExecutionResult } from "../../types.js";
import { SpawnSetupError, runChildProcess, type RunProcessResult } from "../../utils/child-process.js";
import { buildRunEnv, composeChildEnv, redactEnv, runCwd } from "../../utils/env.js";
import { renderRunPrompt } from "../../utils/template.js";
import { codexConfigSchema, type CodexConfig } from "../config.js";
import { CodexJsonlParser, classifyCodexFailure, retryNotBeforeFrom, truncateUtf8, type CodexParseState } from "./parse.js";

export const CODEX_TYPE = "codex_local";

/** argv after the command: a fresh `exec`, or `exec resume <threadId>` for a stored thread. */
export function buildCodexArgs(config: Pick<CodexConfig, "model" | "extraArgs" | "bypassApprovalsAndSandbox">, prompt: string, threadId: string | null): string[] {
  const args = threadId ? ["exec", "resume", threadId, "--json"] : ["exec", "--json"];
  if (config.model) args.push("-m", config.model);
  // Agents often work outside a git repository (their home under the data directory).
  args.push("--skip-git-repo-check");
  if (config.bypassApprovalsAndSandbox) args.push("--dangerously-bypass-approvals-and-sandbox");
  args.push(...config.extraArgs);
  // The prompt is one argv element (no shell); a leading dash would read as a flag, so end the options.
  if (prompt.startsWith("-")) args.push("--");
  args.push(prompt);
  return args;
}

function storedThreadId(ctx: AdapterExecutionContext): string | null {
  const fromParams = ctx.runtime.sessionParams?.sessionId;
  if (typeof fromParams === "string" && fromParams) return fromParams;
  return typeof ctx.runtime.sessionId === "string" && ctx.runtime.sessionId ? ctx.runtime.sessionId : null;
}

function lastLine(text: string): string | null {
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  return lines.at(-1) ?? null;
}

interface Attempt {
  proc: RunProcessResult;
  state: CodexParseState;
  stderrTail: string;
}

const attemptFailed = (a: Attempt) => a.proc.exitCode !== 0 || a.state.errorMessage !== null;
const evidenceOf = (a: Attempt) => [...a.state.errorMessages, a.stderrTail].join("\n");

export async function executeCodex(ctx: AdapterExecutionContext): Promise<AdapterExecutionResult> {
  const parsed = codexConfigSchema.safeParse(ctx.config ?? {});
  if (!parsed.success) {
    return { exitCode: null, signal: null, timedOut: false, errorCode: "adapter_config_invalid", errorMessage: parsed.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`).join("; ") };
  }
  const config = parsed.data;
  const cwd = runCwd(ctx, config.cwd);
  const prompt = renderRunPrompt(ctx, config.promptTemplate);
  const env = composeChildEnv(config.env, buildRunEnv(ctx, cwd));

  const attempt = async (threadId: string | null): Promise<Attempt> => {
    const args = buildCodexArgs(config, prompt, threadId);
    await ctx.onMeta?.({
      adapterType: CODEX_TYPE,
      command: config.command,
      cwd,
      commandArgs: args,
      commandNotes: [threadId ? `resuming Codex thread ${threadId}` : "starting a new Codex thread"],
      env: redactEnv(env),
      prompt,
    });
    const parser = new CodexJsonlParser();
    let stderrTail = "";
    const proc = await runChildProcess(config.command, args, {
      cwd,
      env,
      timeoutSec: config.timeoutSec,
      graceSec: config.graceSec,
      onLog: async (stream, chunk) => {
        if (stream === "stdout") parser.push(chunk);
        else stderrTail = (stderrTail + chunk).slice(-16 * 1024);
        await ctx.onLog(stream, chunk);
      },
      ...(ctx.onSpawn ? { onSpawn: ctx.onSpawn } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    return { proc, state: parser.end(), stderrTail };
  };

  let threadId = storedThreadId(ctx);
  let clearSession = false;
  let run: Attempt;
  try {
    run = await attempt(threadId);
    if (threadId && !run.proc.timedOut && !run.proc.cancelled && attemptFailed(run) && classifyCodexFailure(evidenceOf(run)) === "unknown_thread") {
      await ctx.onLog("stderr", `[switchboard] Codex thread ${threadId} no longer exists; retrying with a new thread\n`);
      clearSession = true;
      threadId = null;
      run = await attempt(null);
    }
  } catch (err) {
    if (err instanceof SpawnSetupError) {
      const hint = err.code === "command_not_found" ? ' (install it with "npm install -g @openai/codex" or set adapterConfig.command)' : "";
      return { exitCode: null, signal: null, timedOut: false, errorCode: err.code, errorMessage: err.message + hint };
    }
    throw err;
  }
  return mapCodexResult(run, { config, threadId, clearSession });
}

function mapCodexResult(run: Attempt, opts: { config: CodexConfig; threadId: string | null; clearSession: boolean }): AdapterExecutionResult {
  const { proc, state } = run;
  const sessionThread = state.threadId ?? opts.threadId;
  const summary = state.lastMessage ? truncateUtf8(state.lastMessage) : null;
  const resultJson: Record<string, unknown> = { stdout: proc.stdoutExcerpt, stderr: proc.stderrExcerpt, threadId: sessionThread, turns: state.turnsCompleted, summary };
  const base: AdapterExecutionResult = {
    exitCode: proc.exitCode,
    signal: proc.signal,
    timedOut: proc.timedOut,
    usage: { ...state.usage },
    usageBasis: "per_run",
    provider: "openai",
    biller: "openai",
    model: opts.config.model ?? null,
    billingType: "api",
    costUsd: null,
    summary,
    resultJson,
    ...(sessionThread
      ? { sessionId: sessionThread, sessionParams: { sessionId: sessionThread }, sessionDisplayId: sessionThread }
      : opts.clearSession
        ? { clearSession: true }
        : {}),
  };
  if (proc.timedOut) return { ...base, errorCode: "timeout", errorMessage: `Timed out after ${opts.config.timeoutSec}s` };
  if (!attemptFailed(run)) return base;

  // Failed: say why, as precisely as the output allows.
  const how = proc.exitCode === null ? `was killed by ${proc.signal ?? "a signal"}` : proc.exitCode === 0 ? "reported a failed turn" : `exited with code ${proc.exitCode}`;
  const detail = state.errorMessage ?? state.errorMessages.at(-1) ?? lastLine(run.stderrTail);
  const errorMessage = `Codex ${how}${detail ? `: ${detail.slice(0, 1000)}` : ""}`;
  const evidence = evidenceOf(run);
  const kind = classifyCodexFailure(evidence);
  if (kind === "auth_required") {
    return { ...base, errorCode: "auth_required", errorMessage: `${errorMessage} (run "codex login" as the server's user, or set OPENAI_API_KEY in adapterConfig.env)` };
  }
  if (kind === "provider_quota") {
    const retryNotBefore = retryNotBeforeFrom(evidence);
    resultJson.errorFamily = "provider_quota";
    resultJson.retryNotBefore = retryNotBefore;
    return { ...base, errorCode: "provider_quota", errorFamily: "provider_quota", retryNotBefore, errorMessage };
  }
  if (kind === "unknown_thread") {
    // Still unknown after a fresh start (or nothing was stored): do not keep pointing at it.
    const { sessionId: _s, sessionParams: _p, sessionDisplayId: _d, ...rest } = base;
    return { ...rest, clearSession: true, errorCode: "adapter_failed", errorMessage: `${errorMessage} (the thread is unknown to Codex; the next run starts a new thread)` };
  }
  return { ...base, errorCode: "adapter_failed", errorMessage };
}
