/**
 * `hermes_local` execute: runs `hermes chat -q <prompt> … --source tool --yolo [--resume <id>]` for
 * one heartbeat and reads its plain-text output (session id, tokens, cost, reply). A session Hermes
 * no longer knows is retried once without `--resume`; `persistSession: false` never resumes.
 */
import type { AdapterExecutionContext, AdapterExecutionResult } from "../../types.js";
import { SpawnSetupError, runChildProcess, type RunProcessResult } from "../../utils/child-process.js";
import { buildRunEnv, composeChildEnv, redactEnv, runCwd } from "../../utils/env.js";
import { renderRunPrompt } from "../../utils/template.js";
// Shared with pi_local: both CLIs relay provider errors as text (see that file's header).
import { classifyProviderFailure, providerFailureLine, retryNotBeforeFrom } from "../../pi-local/server/provider-failure.js";
import { hermesCommandOf, hermesConfigSchema, toolsetsArg, type HermesConfig } from "../config.js";
import { parseHermesOutput, type HermesRunSummary } from "./parse.js";

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

function storedSessionId(ctx: AdapterExecutionContext): string | null {
  const fromParams = ctx.runtime.sessionParams?.sessionId;
  if (typeof fromParams === "string" && fromParams) return fromParams;
  return ctx.runtime.sessionId || null;
}

interface Attempt {
  proc: RunProcessResult;
  stdout: string;
  stderr: string;
  parsed: HermesRunSummary;
}

const failed = (a: Attempt) => a.proc.exitCode !== 0;
const evidenceOf = (a: Attempt) => `${a.stderr.slice(-16 * 1024)}\n${a.stdout.slice(-16 * 1024)}`;
const lastLine = (text: string) => text.split("\n").map((l) => l.trim()).filter(Boolean).at(-1) ?? null;
const setupFailure = (errorCode: string, errorMessage: string): AdapterExecutionResult => ({ exitCode: null, signal: null, timedOut: false, errorCode, errorMessage });

export async function executeHermes(ctx: AdapterExecutionContext): Promise<AdapterExecutionResult> {
  const parsedConfig = hermesConfigSchema.safeParse(ctx.config ?? {});
  if (!parsedConfig.success) {
    return setupFailure("adapter_config_invalid", parsedConfig.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`).join("; "));
  }
  const config = parsedConfig.data;
  const command = hermesCommandOf(config);
  const cwd = runCwd(ctx, config.cwd);
  const env = composeChildEnv(config.env, buildRunEnv(ctx, cwd));
  const prompt = renderRunPrompt(ctx, config.promptTemplate);
  const stored = storedSessionId(ctx);
  const resumeId = config.persistSession ? stored : null;

  const attempt = async (sessionId: string | null): Promise<Attempt> => {
    const args = buildHermesArgs(config, prompt, sessionId);
    await ctx.onMeta?.({
      adapterType: HERMES_ADAPTER_TYPE,
      command,
      cwd,
      commandArgs: args,
      commandNotes: [sessionId ? `resuming Hermes session ${sessionId}` : config.persistSession ? "starting a new Hermes session" : "persistSession is off: every run starts a new Hermes session"],
      env: redactEnv(env),
      prompt,
    });
    const kept = { stdout: "", stderr: "" };
    const proc = await runChildProcess(command, args, {
      cwd,
      env,
      timeoutSec: config.timeoutSec,
      graceSec: config.graceSec,
      onLog: async (stream, chunk) => {
        kept[stream] = (kept[stream] + chunk).slice(-KEPT_OUTPUT_CHARS);
        await ctx.onLog(stream, chunk);
      },
      ...(ctx.onSpawn ? { onSpawn: ctx.onSpawn } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    return { proc, ...kept, parsed: parseHermesOutput(kept.stdout, kept.stderr) };
  };

  let run: Attempt;
  let forgotStoredSession = false;
  try {
    run = await attempt(resumeId);
    if (resumeId && !run.proc.timedOut && !run.proc.cancelled && failed(run) && isUnknownSessionFailure(evidenceOf(run))) {
      await ctx.onLog("stderr", `[switchboard] Hermes no longer knows session ${resumeId}; retrying once with a new session\n`);
      forgotStoredSession = true;
      run = await attempt(null);
    }
  } catch (err) {
    if (err instanceof SpawnSetupError) {
      const hint = err.code === "command_not_found" ? " (install the Hermes Agent CLI from github.com/NousResearch/hermes-agent, or set adapterConfig.hermesCommand)" : "";
      return setupFailure(err.code, err.message + hint);
    }
    throw err;
  }
  return mapHermesResult(run, config, { forgotStoredSession, hadStoredSession: stored !== null });
}

function mapHermesResult(run: Attempt, config: HermesConfig, session: { forgotStoredSession: boolean; hadStoredSession: boolean }): AdapterExecutionResult {
  const { proc, parsed } = run;
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
  };
  if (config.persistSession && parsed.sessionId) {
    base.sessionId = parsed.sessionId;
    base.sessionParams = { sessionId: parsed.sessionId };
    base.sessionDisplayId = parsed.sessionId;
  } else if (session.forgotStoredSession || (!config.persistSession && session.hadStoredSession)) {
    base.clearSession = true;
  }

  if (proc.timedOut) return { ...base, timedOut: true, errorCode: "timeout", errorMessage: `Hermes timed out after ${config.timeoutSec}s` };
  if (!failed(run)) {
    if (!parsed.response && !parsed.sessionId && !proc.cancelled) {
      return { ...base, errorCode: "adapter_failed", errorMessage: "Hermes exited without a reply or a session id (is adapterConfig.hermesCommand really the Hermes Agent CLI?)" };
    }
    return base;
  }

  const evidence = evidenceOf(run);
  const how = proc.exitCode === null ? `was killed by ${proc.signal ?? "a signal"}` : `exited with code ${proc.exitCode}`;
  const kind = classifyProviderFailure(evidence);
  const detail = (kind ? providerFailureLine(evidence, kind) : null) ?? parsed.errorLine ?? lastLine(run.stderr) ?? lastLine(parsed.response ?? "");
  const errorMessage = `Hermes ${how}${detail ? `: ${detail.slice(0, 1000)}` : ""}`;
  if (kind === "auth_required") {
    return { ...base, errorCode: "auth_required", errorMessage: `${errorMessage} (run "hermes setup" or "hermes login" as the server's user, or set the provider's key, such as OPENROUTER_API_KEY, in adapterConfig.env)` };
  }
  if (kind === "provider_quota") {
    const retryNotBefore = retryNotBeforeFrom(evidence);
    if (retryNotBefore) resultJson.retryNotBefore = retryNotBefore;
    return { ...base, errorCode: "provider_quota", errorFamily: "provider_quota", retryNotBefore, errorMessage };
  }
  if (isUnknownSessionFailure(evidence)) {
    // The fresh session failed the same way: do not keep pointing at a session Hermes does not know.
    const { sessionId: _s, sessionParams: _p, sessionDisplayId: _d, ...rest } = base;
    return { ...rest, clearSession: true, errorCode: "adapter_failed", errorMessage };
  }
  return { ...base, errorCode: "adapter_failed", errorMessage };
}
