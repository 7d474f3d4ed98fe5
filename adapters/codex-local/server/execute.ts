/**
 * `codex_local` execute: runs `codex exec --json … -` (or `codex exec --json … resume <thread_id> -`
 * when the task has a stored thread) with the rendered prompt on stdin, as the `-` argument asks (argv
 * has a per-argument size limit a long prompt would overflow), parses its JSONL events and maps them
 * to a result. A stored thread Codex no longer knows is retried once with a fresh thread; a usage
 * limit is `provider_quota` with the time it resets when the message names one. Tokens come from
 * `turn.completed`; Codex reports no cost.
 */
import type { AdapterExecutionContext, AdapterExecutionResult } from "../../types.js";
import { exitDescription, invalidConfigResult, lastLine, runCliSession, sessionFields, storedSessionId, withoutSession, type CliAttempt } from "../../utils/cli-run.js";
import { buildRunEnv, composeChildEnv, runCwd } from "../../utils/env.js";
import { providerQuotaFields } from "../../utils/provider-failure.js";
import { renderRunPrompt } from "../../utils/template.js";
import { codexConfigSchema, type CodexConfig } from "../config.js";
import { CodexJsonlParser, classifyCodexFailure, truncateUtf8, type CodexParseState } from "./parse.js";

export const CODEX_TYPE = "codex_local";

/** argv after the command: a fresh `exec`, or `exec resume <threadId>` for a stored thread; the last argument `-` reads the prompt from stdin. */
export function buildCodexArgs(config: Pick<CodexConfig, "model" | "extraArgs" | "bypassApprovalsAndSandbox">, threadId: string | null): string[] {
  // Every flag goes before the `resume <thread>` subcommand: `exec`-only flags in extraArgs
  // (--sandbox, -C, --add-dir…) would be refused after it. The prompt is read from stdin (`-`).
  const args = ["exec", "--json"];
  if (config.model) args.push("-m", config.model);
  // Agents often work outside a git repository (their home under the data directory).
  args.push("--skip-git-repo-check");
  if (config.bypassApprovalsAndSandbox) args.push("--dangerously-bypass-approvals-and-sandbox");
  args.push(...config.extraArgs);
  if (threadId) args.push("resume", threadId);
  args.push("-");
  return args;
}

type Attempt = CliAttempt<CodexParseState>;

const attemptFailed = (a: Attempt) => a.proc.exitCode !== 0 || a.parsed.errorMessage !== null;
const evidenceOf = (a: Attempt) => [...a.parsed.errorMessages, a.stderrTail].join("\n");

export async function executeCodex(ctx: AdapterExecutionContext): Promise<AdapterExecutionResult> {
  const parsedConfig = codexConfigSchema.safeParse(ctx.config ?? {});
  if (!parsedConfig.success) return invalidConfigResult(parsedConfig.error);
  const config = parsedConfig.data;
  const cwd = runCwd(ctx, config.cwd);
  const prompt = renderRunPrompt(ctx, config.promptTemplate);
  const env = composeChildEnv(config.env, buildRunEnv(ctx, cwd));

  const stored = storedSessionId(ctx);
  const outcome = await runCliSession(ctx, {
    adapterType: CODEX_TYPE,
    command: config.command,
    cwd,
    env,
    prompt,
    promptOnStdin: true,
    limits: config,
    storedSession: stored,
    args: (threadId) => buildCodexArgs(config, threadId),
    notes: (threadId) => [threadId ? `resuming Codex thread ${threadId}` : "starting a new Codex thread", "prompt on stdin"],
    parser: () => new CodexJsonlParser(),
    isStaleSession: (a) => attemptFailed(a) && classifyCodexFailure(evidenceOf(a)) === "unknown_thread",
    retryNotice: `Codex thread ${stored} no longer exists; retrying with a new thread`,
    installHint: 'install it with "npm install -g @openai/codex" or set adapterConfig.command',
  });
  if (!outcome.started) return outcome.result;
  return mapCodexResult(outcome.run, { config, threadId: outcome.resumedSessionId, clearSession: outcome.retriedFresh });
}

function mapCodexResult(run: Attempt, opts: { config: CodexConfig; threadId: string | null; clearSession: boolean }): AdapterExecutionResult {
  const { proc, parsed: state } = run;
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
    ...sessionFields(sessionThread, { clearWhenMissing: opts.clearSession }),
  };
  if (proc.timedOut) return { ...base, errorCode: "timeout", errorMessage: `Timed out after ${opts.config.timeoutSec}s` };
  if (!attemptFailed(run)) return base;

  // Failed: say why, as precisely as the output allows.
  const detail = state.errorMessage ?? state.errorMessages.at(-1) ?? lastLine(run.stderrTail);
  const errorMessage = `Codex ${exitDescription(proc, "reported a failed turn")}${detail ? `: ${detail.slice(0, 1000)}` : ""}`;
  const evidence = evidenceOf(run);
  switch (classifyCodexFailure(evidence)) {
    case "auth_required":
      return { ...base, errorCode: "auth_required", errorMessage: `${errorMessage} (run "codex login" as the server's user, or set OPENAI_API_KEY in adapterConfig.env)` };
    case "provider_quota":
      return { ...base, ...providerQuotaFields(evidence), errorMessage };
    case "unknown_thread":
      // Still unknown after a fresh start (or nothing was stored): do not keep pointing at it.
      return { ...withoutSession(base), errorCode: "adapter_failed", errorMessage: `${errorMessage} (the thread is unknown to Codex; the next run starts a new thread)` };
    default:
      return { ...base, errorCode: "adapter_failed", errorMessage };
  }
}
