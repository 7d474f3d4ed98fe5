/**
 * Runs one heartbeat of a `gemini_local` agent: `gemini --output-format stream-json [--resume <id>]
 * [--model m] --approval-mode yolo (--sandbox | --sandbox=none) [extraArgs] --prompt <prompt>`, with
 * the prompt in argv (no shell, no stdin). Maps the stream and exit to a result: tokens, session,
 * summary, and an error code a person can act on. A stored session the CLI no longer knows is retried
 * once with a fresh one.
 */
import type { AdapterExecutionContext, AdapterExecutionResult } from "../../types.js";
import { exitDescription, invalidConfigResult, lastLine, runCliSession, sessionFields, storedSessionId, withoutSession, type CliAttempt } from "../../utils/cli-run.js";
import { buildRunEnv, composeChildEnv, runCwd } from "../../utils/env.js";
import { providerQuotaFields } from "../../utils/provider-failure.js";
import { renderRunPrompt } from "../../utils/template.js";
import { truncateText } from "../../utils/text.js";
import { configuredApiKeyName, geminiConfigSchema, type GeminiConfig } from "../config.js";
import { GeminiStreamParser, classifyGeminiFailure, isUnknownSessionError, type GeminiStreamSummary } from "./parse.js";

export const GEMINI_ADAPTER_TYPE = "gemini_local";

/**
 * Defaults that keep the CLI headless; the agent's own env may override each. NO_BROWSER stops an
 * OAuth flow from trying to open a browser on the server; TERM=dumb keeps colour and cursor codes out
 * of the log; GEMINI_CLI_TRUST_WORKSPACE keeps a CLI with folder trust enabled from silently
 * downgrading `--approval-mode yolo` to interactive approvals, which a headless run can never give.
 */
export const GEMINI_HEADLESS_ENV: Readonly<Record<string, string>> = {
  TERM: "dumb",
  NO_BROWSER: "true",
  GEMINI_CLI_TRUST_WORKSPACE: "true",
};

export function buildGeminiArgs(config: Pick<GeminiConfig, "model" | "sandbox" | "extraArgs">, prompt: string, resumeSessionId: string | null): string[] {
  const args = ["--output-format", "stream-json"];
  if (resumeSessionId) args.push("--resume", resumeSessionId);
  if (config.model) args.push("--model", config.model);
  args.push("--approval-mode", "yolo");
  args.push(config.sandbox ? "--sandbox" : "--sandbox=none");
  args.push(...config.extraArgs);
  // `--prompt` takes the next argv element as its value, so a prompt starting with "-" stays a prompt.
  args.push("--prompt", prompt);
  return args;
}

type Attempt = CliAttempt<GeminiStreamSummary>;

const failed = (a: Attempt) => a.proc.exitCode !== 0 || a.parsed.isError;
/** The text that explains a failure: reported errors and stderr, not the whole transcript. */
const evidenceOf = (a: Attempt) => [a.parsed.errorMessage ?? "", ...a.parsed.errorEvents, a.stderrTail].join("\n");

export async function executeGemini(ctx: AdapterExecutionContext): Promise<AdapterExecutionResult> {
  const parsedConfig = geminiConfigSchema.safeParse(ctx.config ?? {});
  if (!parsedConfig.success) return invalidConfigResult(parsedConfig.error, "Invalid gemini_local config: ");
  const config = parsedConfig.data;
  const cwd = runCwd(ctx, config.cwd);
  const env = composeChildEnv({ ...GEMINI_HEADLESS_ENV, ...config.env }, buildRunEnv(ctx, cwd));
  const prompt = renderRunPrompt(ctx, config.promptTemplate);
  const apiKeyName = configuredApiKeyName(config.env);

  const stored = storedSessionId(ctx);
  const outcome = await runCliSession(ctx, {
    adapterType: GEMINI_ADAPTER_TYPE,
    command: config.command,
    cwd,
    env,
    prompt,
    promptOnStdin: false,
    limits: config,
    storedSession: stored,
    args: (resumeSessionId) => buildGeminiArgs(config, prompt, resumeSessionId),
    notes: (resumeSessionId) => [
      resumeSessionId ? `resuming Gemini session ${resumeSessionId}` : "starting a new Gemini session",
      apiKeyName ? `billed to the API key in ${apiKeyName}` : "using the CLI's own login (no GEMINI_API_KEY in env)",
    ],
    parser: () => new GeminiStreamParser(),
    isStaleSession: (a) => failed(a) && isUnknownSessionError(evidenceOf(a)),
    retryNotice: `Gemini session ${stored} no longer exists; retrying with a fresh session`,
    installHint: 'install the Gemini CLI with "npm install -g @google/gemini-cli" or set adapterConfig.command to its absolute path',
  });
  if (!outcome.started) return outcome.result;
  return mapResult(outcome.run, { config, resumeSessionId: outcome.resumedSessionId, retriedFresh: outcome.retriedFresh, billingType: apiKeyName ? "api" : "subscription" });
}

function mapResult(run: Attempt, opts: { config: GeminiConfig; resumeSessionId: string | null; retriedFresh: boolean; billingType: string }): AdapterExecutionResult {
  const { proc, parsed } = run;
  const sessionId = parsed.sessionId;
  const resultJson: Record<string, unknown> = {
    stdout: proc.stdoutExcerpt,
    stderr: proc.stderrExcerpt,
    sessionId,
    resumedSessionId: opts.resumeSessionId,
    retriedWithFreshSession: opts.retriedFresh,
    toolCalls: parsed.toolCalls,
    ...(parsed.errorType ? { errorType: parsed.errorType } : {}),
    ...(parsed.errorMessage ? { errorMessage: parsed.errorMessage } : {}),
  };
  const base: AdapterExecutionResult = {
    exitCode: proc.exitCode,
    signal: proc.signal,
    timedOut: false,
    provider: "google",
    biller: "google",
    model: parsed.model ?? opts.config.model ?? null,
    billingType: opts.billingType,
    usageBasis: "per_run",
    ...(parsed.usage ? { usage: parsed.usage } : {}),
    costUsd: parsed.costUsd,
    summary: parsed.summary,
    resultJson,
    ...sessionFields(sessionId, { clearWhenMissing: opts.retriedFresh }),
  };

  if (proc.timedOut) return { ...base, timedOut: true, errorCode: "timeout", errorMessage: `Gemini CLI timed out after ${opts.config.timeoutSec}s` };
  if (!failed(run)) {
    if (!parsed.hasResult) return { ...base, errorCode: "adapter_failed", errorMessage: "The Gemini CLI exited without a result event (is the command really the Gemini CLI with --output-format stream-json support?)" };
    return base;
  }

  const detail = truncateText(parsed.errorMessage ?? parsed.errorEvents.at(-1) ?? lastLine(run.stderrTail), 500);
  const message = `Gemini CLI ${exitDescription(proc)}${detail ? `: ${detail}` : ""}`;
  const evidence = evidenceOf(run);
  switch (classifyGeminiFailure(evidence, proc.exitCode)) {
    case "provider_quota": {
      // Gemini's stderr is timestamped log lines: only a time named as the reset time counts.
      const quota = providerQuotaFields(evidence, { bareTimestamps: false });
      const when = quota.retryNotBefore ? ` Retry after ${quota.retryNotBefore}.` : "";
      return { ...base, ...quota, errorMessage: `${message} (Gemini quota exhausted.${when})` };
    }
    case "auth_required":
      return {
        ...base,
        errorCode: "auth_required",
        errorMessage: `${message} (the Gemini CLI is not authenticated: set GEMINI_API_KEY in adapterConfig.env, preferably as a secret, or run "gemini" once as the server's user to log in)`,
      };
    case "unknown_session":
      // Still unknown after a fresh start (or the stored id was never passed): do not keep pointing at it.
      return { ...withoutSession(base), errorCode: "adapter_failed", errorMessage: message };
    default:
      return { ...base, errorCode: "adapter_failed", errorMessage: message };
  }
}
