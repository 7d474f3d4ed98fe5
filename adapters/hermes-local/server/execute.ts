/**
 * `hermes_local` execute: runs `hermes chat -q <prompt> … --source tool --yolo [--resume <id>]` for
 * one heartbeat and reads its plain-text output (session id, tokens, cost, reply). A session Hermes
 * no longer knows is retried once without `--resume`; `persistSession: false` never resumes.
 */
import type { AdapterExecutionContext, AdapterExecutionResult } from "../../types.js";
import { exitDescription, invalidConfigResult, lastLine, runCliSession, sessionFields, storedSessionId, withoutSession, type CliAttempt, type StreamParser } from "../../utils/cli-run.js";
import { buildRunEnv, composeChildEnv, runCwd } from "../../utils/env.js";
import { classifyProviderFailure, providerFailureLine, providerQuotaFields } from "../../utils/provider-failure.js";
import { renderRunPrompt } from "../../utils/template.js";
import { hermesCommandOf, hermesConfigSchema, toolsetsArg, type HermesConfig } from "../config.js";
import { parseHermesOutput } from "./parse.js";

export const HERMES_ADAPTER_TYPE = "hermes_local";

/** Kept per stream for parsing: quiet output is small; verbose output is only needed for its tail. */
const KEPT_OUTPUT_CHARS = 256 * 1024;

/** argv after the command. */
export function buildHermesArgs(config: HermesConfig, prompt: string, resumeSessionId: string | null): string[] {
  // argparse would read a prompt starting with "-" as an option; the `--query=` form cannot be misread.
  const args = ["chat", ...(prompt.startsWith("-") ? [`--query=${prompt}`] : ["-q", prompt])];
  if (config.quiet) args.push("-Q");
  if (config.model) args.push("-m", config.model);
  if (config.provider && config.provider !== "auto") args.push("--provider", config.provider);
  const toolsets = toolsetsArg(config.toolsets);
  if (toolsets) args.push("-t", toolsets);
  if (config.maxTurns) args.push("--max-turns", String(config.maxTurns));
  if (config.verbose) args.push("-v");
  // Tag the session as tool-made (kept out of the user's history) and skip approval prompts: no TTY here.
  args.push("--source", "tool", "--yolo");
  if (resumeSessionId) args.push("--resume", resumeSessionId);
  args.push(...config.extraArgs);
  return args;
}

const UNKNOWN_SESSION = /session not found|no session (?:found )?with (?:the )?id|unknown session|session [^\n]{0,80} does not exist/i;

export function isUnknownSessionFailure(text: string): boolean {
  return UNKNOWN_SESSION.test(text);
}

/** Hermes prints plain text, read whole at exit: keep stdout's tail (quiet output is small). */
function stdoutTail(): StreamParser<string> {
  let kept = "";
  return {
    push: (chunk) => {
      kept = (kept + chunk).slice(-KEPT_OUTPUT_CHARS);
    },
    end: () => kept,
  };
}

/** What Hermes printed: stdout's tail as the parsed value, stderr's tail beside it. */
type Attempt = CliAttempt<string>;

const failed = (a: Attempt) => a.proc.exitCode !== 0;
const evidenceOf = (a: Attempt) => `${a.stderrTail.slice(-16 * 1024)}\n${a.parsed.slice(-16 * 1024)}`;

export async function executeHermes(ctx: AdapterExecutionContext): Promise<AdapterExecutionResult> {
  const parsedConfig = hermesConfigSchema.safeParse(ctx.config ?? {});
  if (!parsedConfig.success) return invalidConfigResult(parsedConfig.error);
  const config = parsedConfig.data;
  const cwd = runCwd(ctx, config.cwd);
  const prompt = renderRunPrompt(ctx, config.promptTemplate);
  const stored = storedSessionId(ctx);
  const resumeId = config.persistSession ? stored : null;

  const outcome = await runCliSession(ctx, {
    adapterType: HERMES_ADAPTER_TYPE,
    command: hermesCommandOf(config),
    cwd,
    env: composeChildEnv(config.env, buildRunEnv(ctx, cwd)),
    prompt,
    promptOnStdin: false,
    limits: config,
    stderrTailChars: KEPT_OUTPUT_CHARS,
    storedSession: resumeId,
    args: (sessionId) => buildHermesArgs(config, prompt, sessionId),
    notes: (sessionId) => [sessionId ? `resuming Hermes session ${sessionId}` : config.persistSession ? "starting a new Hermes session" : "persistSession is off: every run starts a new Hermes session"],
    parser: stdoutTail,
    isStaleSession: (a) => failed(a) && isUnknownSessionFailure(evidenceOf(a)),
    retryNotice: `Hermes no longer knows session ${resumeId}; retrying once with a new session`,
    installHint: "install the Hermes Agent CLI from github.com/NousResearch/hermes-agent, or set adapterConfig.hermesCommand",
  });
  if (!outcome.started) return outcome.result;
  return mapHermesResult(outcome.run, config, { forgotStoredSession: outcome.retriedFresh, hadStoredSession: stored !== null });
}

function mapHermesResult(run: Attempt, config: HermesConfig, session: { forgotStoredSession: boolean; hadStoredSession: boolean }): AdapterExecutionResult {
  const { proc } = run;
  const parsed = parseHermesOutput(run.parsed, run.stderrTail);
  const provider = config.provider ?? "hermes";
  const resultJson: Record<string, unknown> = {
    stdout: proc.stdoutExcerpt,
    stderr: proc.stderrExcerpt,
    sessionId: parsed.sessionId,
    summary: parsed.response,
  };
  const base: AdapterExecutionResult = {
    exitCode: proc.exitCode,
    signal: proc.signal,
    timedOut: false,
    provider,
    biller: provider,
    model: config.model ?? null,
    billingType: "api",
    costUsd: parsed.costUsd,
    summary: parsed.response,
    resultJson,
    ...(parsed.usage ? { usage: parsed.usage } : {}),
    ...sessionFields(config.persistSession ? parsed.sessionId : null, {
      clearWhenMissing: session.forgotStoredSession || (!config.persistSession && session.hadStoredSession),
    }),
  };

  if (proc.timedOut) return { ...base, timedOut: true, errorCode: "timeout", errorMessage: `Hermes timed out after ${config.timeoutSec}s` };
  if (!failed(run)) {
    if (!parsed.response && !parsed.sessionId && !proc.cancelled) {
      return { ...base, errorCode: "adapter_failed", errorMessage: "Hermes exited without a reply or a session id (is adapterConfig.hermesCommand really the Hermes Agent CLI?)" };
    }
    return base;
  }

  const evidence = evidenceOf(run);
  const kind = classifyProviderFailure(evidence);
  const detail = (kind ? providerFailureLine(evidence, kind) : null) ?? parsed.errorLine ?? lastLine(run.stderrTail) ?? lastLine(parsed.response ?? "");
  const errorMessage = `Hermes ${exitDescription(proc)}${detail ? `: ${detail.slice(0, 1000)}` : ""}`;
  if (kind === "auth_required") {
    return { ...base, errorCode: "auth_required", errorMessage: `${errorMessage} (run "hermes setup" or "hermes login" as the server's user, or set the provider's key, such as OPENROUTER_API_KEY, in adapterConfig.env)` };
  }
  if (kind === "provider_quota") return { ...base, ...providerQuotaFields(evidence), errorMessage };
  if (isUnknownSessionFailure(evidence)) {
    // The fresh session failed the same way: do not keep pointing at a session Hermes does not know.
    return { ...withoutSession(base), errorCode: "adapter_failed", errorMessage };
  }
  return { ...base, errorCode: "adapter_failed", errorMessage };
}
