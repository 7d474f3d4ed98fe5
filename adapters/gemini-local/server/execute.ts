/**
 * Runs one heartbeat of a `gemini_local` agent: `gemini --output-format stream-json [--resume <id>]
 * [--model m] --approval-mode yolo (--sandbox | --sandbox=none) [extraArgs] --prompt <prompt>`, with
 * the prompt in argv (no shell, no stdin). Maps the stream and exit to a result: tokens, session,
 * summary, and an error code a person can act on. A stored session the CLI no longer knows is retried
 * once with a fresh one.
 */
import type { AdapterExecutionContext, AdapterExecutionResult } from "../../types.js";
import { SpawnSetupError, runChildProcess, type RunProcessResult } from "../../utils/child-process.js";
import { buildRunEnv, composeChildEnv, redactEnv, runCwd } from "../../utils/env.js";
import { renderRunPrompt } from "../../utils/template.js";
import { configuredApiKeyName, geminiConfigSchema, type GeminiConfig } from "../config.js";
import { GeminiStreamParser, classifyGeminiFailure, isUnknownSessionError, retryNotBeforeFrom, truncateText, type GeminiStreamSummary } from "./parse.js";

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

function storedSessionId(ctx: AdapterExecutionContext): string | null {
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
  parsed: GeminiStreamSummary;
  /** stderr of this attempt (tail), kept apart from stdout for classification. */
  stderr: string;
}

const failed = (a: Attempt) => a.proc.exitCode !== 0 || a.parsed.isError;
/** The text that explains a failure: reported errors and stderr, not the whole transcript. */
const evidenceOf = (a: Attempt) => [a.parsed.errorMessage ?? "", ...a.parsed.errorEvents, a.stderr].join("\n");

export async function executeGemini(ctx: AdapterExecutionContext): Promise<AdapterExecutionResult> {
  const parsedConfig = geminiConfigSchema.safeParse(ctx.config ?? {});
  if (!parsedConfig.success) {
    const problems = parsedConfig.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`).join("; ");
    return { exitCode: null, signal: null, timedOut: false, errorCode: "adapter_config_invalid", errorMessage: `Invalid gemini_local config: ${problems}` };
  }
  const config = parsedConfig.data;
  const cwd = runCwd(ctx, config.cwd);
  const env = composeChildEnv({ ...GEMINI_HEADLESS_ENV, ...config.env }, buildRunEnv(ctx, cwd));
  const prompt = renderRunPrompt(ctx, config.promptTemplate);
  const apiKeyName = configuredApiKeyName(config.env);

  const attempt = async (resumeSessionId: string | null): Promise<Attempt> => {
    const args = buildGeminiArgs(config, prompt, resumeSessionId);
    await ctx.onMeta?.({
      adapterType: GEMINI_ADAPTER_TYPE,
      command: config.command,
      cwd,
      commandArgs: args,
      commandNotes: [resumeSessionId ? `resuming Gemini session ${resumeSessionId}` : "starting a new Gemini session", apiKeyName ? `billed to the API key in ${apiKeyName}` : "using the CLI's own login (no GEMINI_API_KEY in env)"],
      env: redactEnv(env),
      prompt,
    });
    const parser = new GeminiStreamParser();
    let stderr = "";
    const proc = await runChildProcess(config.command, args, {
      cwd,
      env,
      timeoutSec: config.timeoutSec,
      graceSec: config.graceSec,
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

  let resumeSessionId = storedSessionId(ctx);
  let retriedFresh = false;
  let run: Attempt;
  try {
    run = await attempt(resumeSessionId);
    if (resumeSessionId && !run.proc.timedOut && !run.proc.cancelled && failed(run) && isUnknownSessionError(evidenceOf(run))) {
      await ctx.onLog("stderr", `[switchboard] Gemini session ${resumeSessionId} no longer exists; retrying with a fresh session\n`);
      retriedFresh = true;
      resumeSessionId = null;
      run = await attempt(null);
    }
  } catch (err) {
    if (err instanceof SpawnSetupError) {
      const hint = err.code === "command_not_found" ? ' (install the Gemini CLI with "npm install -g @google/gemini-cli" or set adapterConfig.command to its absolute path)' : "";
      return { exitCode: null, signal: null, timedOut: false, errorCode: err.code, errorMessage: `${err.message}${hint}` };
    }
    throw err;
  }
  return mapResult(run, { config, resumeSessionId, retriedFresh, billingType: apiKeyName ? "api" : "subscription" });
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
  };
  if (sessionId) {
    base.sessionId = sessionId;
    base.sessionParams = { sessionId };
    base.sessionDisplayId = sessionId;
  } else if (opts.retriedFresh) {
    base.clearSession = true;
  }

  if (proc.timedOut) return { ...base, timedOut: true, errorCode: "timeout", errorMessage: `Gemini CLI timed out after ${opts.config.timeoutSec}s` };
  if (!failed(run)) {
    if (!parsed.hasResult) return { ...base, errorCode: "adapter_failed", errorMessage: "The Gemini CLI exited without a result event (is the command really the Gemini CLI with --output-format stream-json support?)" };
    return base;
  }

  const how = proc.exitCode === null ? `was killed by ${proc.signal ?? "a signal"}` : proc.exitCode === 0 ? "reported an error" : `exited with code ${proc.exitCode}`;
  const detail = truncateText(parsed.errorMessage ?? parsed.errorEvents.at(-1) ?? lastLine(run.stderr), 500);
  const message = `Gemini CLI ${how}${detail ? `: ${detail}` : ""}`;
  const evidence = evidenceOf(run);
  switch (classifyGeminiFailure(evidence, proc.exitCode)) {
    case "provider_quota": {
      const retryNotBefore = retryNotBeforeFrom(evidence);
      // executeRun keeps resultJson on the run: the reset time is visible there, not only to the engine.
      resultJson.errorFamily = "provider_quota";
      if (retryNotBefore) resultJson.retryNotBefore = retryNotBefore;
      const when = retryNotBefore ? ` Retry after ${retryNotBefore}.` : "";
      return { ...base, errorCode: "provider_quota", errorFamily: "provider_quota", retryNotBefore, errorMessage: `${message} (Gemini quota exhausted.${when})` };
    }
    case "auth_required":
      return {
        ...base,
        errorCode: "auth_required",
        errorMessage: `${message} (the Gemini CLI is not authenticated: set GEMINI_API_KEY in adapterConfig.env, preferably as a secret, or run "gemini" once as the server's user to log in)`,
      };
    case "unknown_session": {
      // Still unknown after a fresh start (or the stored id was never passed): do not keep pointing at it.
      const { sessionId: _s, sessionParams: _p, sessionDisplayId: _d, ...rest } = base;
      return { ...rest, clearSession: true, errorCode: "adapter_failed", errorMessage: message };
    }
    default:
      return { ...base, errorCode: "adapter_failed", errorMessage: message };
  }
}
