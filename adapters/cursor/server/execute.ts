/**
 * One heartbeat of a `cursor` agent: `agent -p --output-format stream-json --workspace <cwd>
 * [--resume <id>] …` with the prompt on stdin, resuming the task's Cursor chat when one is stored.
 * Billing is Cursor's: a subscription unless the agent runs with its own CURSOR_API_KEY. A stored chat
 * Cursor no longer has is retried once with a fresh one.
 */
import type { AdapterExecutionContext, AdapterExecutionResult } from "../../types.js";
import { exitDescription, invalidConfigResult, lastLine, runCliSession, sessionFields, storedSessionId, withoutSession, type CliAttempt } from "../../utils/cli-run.js";
import { buildRunEnv, composeChildEnv, runCwd } from "../../utils/env.js";
import { providerQuotaFields } from "../../utils/provider-failure.js";
import { renderRunPrompt } from "../../utils/template.js";
import { truncateText } from "../../utils/text.js";
import { cursorConfigSchema, hasCursorApiKey, type CursorConfig } from "../config.js";
import { classifyCursorFailure, isUnknownCursorSession } from "./errors.js";
import { CursorStreamParser, type CursorParseState } from "./parse.js";

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

type Attempt = CliAttempt<CursorParseState>;

const failed = (a: Attempt) => a.proc.exitCode !== 0 || a.parsed.isError || a.parsed.errors.length > 0;
/** What a failure says about itself: error events/results and stderr — not the agent's own messages. */
const failureText = (a: Attempt) => [...a.parsed.errors, a.stderrTail].join("\n");

export async function executeCursor(ctx: AdapterExecutionContext): Promise<AdapterExecutionResult> {
  const parsedConfig = cursorConfigSchema.safeParse(ctx.config ?? {});
  if (!parsedConfig.success) return invalidConfigResult(parsedConfig.error);
  const config = parsedConfig.data;
  const cwd = runCwd(ctx, config.cwd);
  const prompt = renderRunPrompt(ctx, config.promptTemplate);
  const env = composeChildEnv(config.env, buildRunEnv(ctx, cwd));

  const stored = storedSessionId(ctx);
  const outcome = await runCliSession(ctx, {
    adapterType: CURSOR_TYPE,
    command: config.command,
    cwd,
    env,
    prompt,
    promptOnStdin: true,
    limits: config,
    storedSession: stored,
    args: (sessionId) => buildCursorArgs(config, cwd, sessionId),
    notes: (sessionId) => [sessionId ? `resuming Cursor chat ${sessionId}` : "starting a new Cursor chat", "prompt sent on stdin"],
    parser: () => new CursorStreamParser(),
    isStaleSession: (a) => failed(a) && isUnknownCursorSession(failureText(a)),
    retryNotice: `Cursor chat ${stored} no longer exists; retrying with a fresh chat`,
    installHint: 'install the Cursor Agent CLI with "curl https://cursor.com/install -fsS | bash" or set adapterConfig.command',
  });
  if (!outcome.started) return outcome.result;
  return resultOf(outcome.run, config, { resumedSessionId: outcome.resumedSessionId, clearSession: outcome.retriedFresh });
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
    summary: truncateText(parsed.resultText ?? parsed.lastAssistantText),
    resultJson,
    ...sessionFields(parsed.sessionId, { clearWhenMissing: session.clearSession }),
  };

  if (proc.timedOut) return { ...base, timedOut: true, errorCode: "timeout", errorMessage: `Cursor Agent timed out after ${config.timeoutSec}s` };
  if (!failed(run)) {
    if (parsed.hasResult) return base;
    return { ...base, errorCode: "adapter_failed", errorMessage: "Cursor Agent exited without a result event (is the command really the Cursor Agent CLI with --output-format stream-json?)" };
  }

  const detail = parsed.errors.at(-1) ?? lastLine(run.stderrTail);
  const errorMessage = `Cursor Agent ${exitDescription(proc)}${detail ? `: ${detail.slice(0, 1000)}` : ""}`;
  const evidence = failureText(run);
  switch (classifyCursorFailure(evidence)) {
    case "auth_required":
      return { ...base, errorCode: "auth_required", errorMessage: `${errorMessage} (run "agent login" as the server's user, or set CURSOR_API_KEY in adapterConfig.env)` };
    case "provider_quota":
      return { ...base, ...providerQuotaFields(evidence), errorMessage };
    case "unknown_session":
      // Even a fresh chat was refused: do not keep pointing at it.
      return { ...withoutSession(base), errorCode: "adapter_failed", errorMessage };
    default:
      return { ...base, errorCode: "adapter_failed", errorMessage };
  }
}
