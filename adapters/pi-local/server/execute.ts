/**
 * `pi_local` execute: runs `pi --mode json -p … --session <file> <prompt>` for one heartbeat,
 * resuming the task's conversation file when it still exists, and turns Pi's JSON event stream into
 * tokens, cost, a summary and an error code a person can act on. A stored session that Pi can no
 * longer load is retried once with a fresh file.
 */
import fs from "node:fs";
import path from "node:path";
import type { AdapterExecutionContext, AdapterExecutionResult } from "../../types.js";
import { exitDescription, failedBeforeRun, invalidConfigResult, lastLine, runCliSession, sessionFields, type CliAttempt } from "../../utils/cli-run.js";
import { buildRunEnv, composeChildEnv, runCwd } from "../../utils/env.js";
import { classifyProviderFailure, providerFailureLine, providerQuotaFields } from "../../utils/provider-failure.js";
import { renderRunPrompt } from "../../utils/template.js";
import { piConfigSchema, splitPiModel, type PiConfig } from "../config.js";
import { PiJsonlParser, type PiRunSummary } from "./parse.js";
import { newPiSessionFile, piSessionDir, piSessionDisplayId, sessionFileExists, storedPiSessionFile } from "./session-files.js";

export const PI_ADAPTER_TYPE = "pi_local";

/** Pi reads a leading `-` as a flag and a leading `@` as a file to attach, and has no `--`: indent such prompts. */
export function piPromptArg(prompt: string): string {
  return /^[-@]/.test(prompt) ? ` ${prompt}` : prompt;
}

/** argv after the command; the prompt is always the last element. */
export function buildPiArgs(config: Pick<PiConfig, "model" | "thinking" | "extraArgs">, opts: { prompt: string; sessionFile: string; instructionsFile: string | null }): string[] {
  const { provider, modelId } = splitPiModel(config.model);
  const args = ["--mode", "json", "-p"];
  // Pi appends the file's contents when given a path that exists ("Append text or file contents").
  if (opts.instructionsFile) args.push("--append-system-prompt", opts.instructionsFile);
  args.push("--provider", provider, "--model", modelId);
  if (config.thinking) args.push("--thinking", config.thinking);
  args.push("--session", opts.sessionFile, ...config.extraArgs, piPromptArg(opts.prompt));
  return args;
}

/** The instructions file as an absolute path, or why it is skipped. */
export function resolveInstructionsFile(configured: string | undefined, cwd: string): { file: string | null; warning: string | null } {
  if (!configured) return { file: null, warning: null };
  const file = path.resolve(cwd, configured);
  try {
    fs.accessSync(file, fs.constants.R_OK);
    if (fs.statSync(file).isFile()) return { file, warning: null };
  } catch {
    // reported below
  }
  return { file: null, warning: `instructions file ${file} is not a readable file; running without --append-system-prompt` };
}

const STALE_SESSION =
  /(?:failed to|could not|cannot|unable to) (?:load|open|read|parse|resume) (?:the )?session|invalid session file|session file[^\n]{0,120}(?:not found|corrupt|invalid|unsupported)|unsupported session (?:file )?version/i;

export function isStaleSessionFailure(text: string): boolean {
  return STALE_SESSION.test(text);
}

type Attempt = CliAttempt<PiRunSummary>;

const failed = (a: Attempt) => a.proc.exitCode !== 0 || a.parsed.errorMessage !== null;
const evidenceOf = (a: Attempt) => [a.parsed.errorMessage ?? "", ...a.parsed.nonJsonTail, a.stderrTail].join("\n");

function isDirectory(dir: string): boolean {
  try {
    return path.isAbsolute(dir) && fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

export async function executePi(ctx: AdapterExecutionContext): Promise<AdapterExecutionResult> {
  const parsedConfig = piConfigSchema.safeParse(ctx.config ?? {});
  if (!parsedConfig.success) return invalidConfigResult(parsedConfig.error);
  const config = parsedConfig.data;
  const cwd = runCwd(ctx, config.cwd);
  // Checked here because the session directory may live under cwd: never create a mistyped cwd.
  if (!isDirectory(cwd)) return failedBeforeRun("invalid_cwd", `Working directory "${cwd}" is not an existing absolute directory`);
  const env = composeChildEnv(config.env, buildRunEnv(ctx, cwd));
  const prompt = renderRunPrompt(ctx, config.promptTemplate);
  const instructions = resolveInstructionsFile(config.instructionsFilePath, cwd);
  if (instructions.warning) await ctx.onLog("stderr", `[switchboard] ${instructions.warning}\n`);

  const sessionDir = piSessionDir(ctx, cwd);
  let resumeFile = storedPiSessionFile(ctx);
  let forgotStoredSession = false;
  if (resumeFile && !sessionFileExists(resumeFile)) {
    await ctx.onLog("stderr", `[switchboard] Pi session file ${resumeFile} no longer exists; starting a new session\n`);
    resumeFile = null;
    forgotStoredSession = true;
  }
  // A new conversation's file, for the first attempt when nothing is resumed or for the retry when the
  // stored one fails (never both). Made now, so a session directory that cannot be created fails early.
  let freshFile: string;
  try {
    freshFile = newPiSessionFile(sessionDir);
  } catch (err) {
    return failedBeforeRun("adapter_failed", `Cannot create the Pi session directory ${sessionDir}: ${err instanceof Error ? err.message : String(err)}`);
  }

  const outcome = await runCliSession(ctx, {
    adapterType: PI_ADAPTER_TYPE,
    command: config.command,
    cwd,
    env,
    prompt,
    promptOnStdin: false,
    limits: config,
    // The session is the conversation file; a fresh attempt writes `freshFile`.
    storedSession: resumeFile,
    args: (sessionFile) => buildPiArgs(config, { prompt, sessionFile: sessionFile ?? freshFile, instructionsFile: instructions.file }),
    notes: (sessionFile) => [sessionFile ? `resuming Pi session ${sessionFile}` : `new Pi session ${freshFile}`],
    parser: () => new PiJsonlParser(),
    isStaleSession: (a) => failed(a) && isStaleSessionFailure(evidenceOf(a)),
    retryNotice: `Pi could not resume session ${resumeFile}; retrying once with a new session`,
    installHint: 'install Pi with "npm install -g @mariozechner/pi-coding-agent" or set adapterConfig.command',
  });
  if (!outcome.started) return outcome.result;
  return mapPiResult(outcome.run, outcome.resumedSessionId ?? freshFile, config, forgotStoredSession || outcome.retriedFresh);
}

function mapPiResult(run: Attempt, sessionFile: string, config: PiConfig, forgotStoredSession: boolean): AdapterExecutionResult {
  const { proc, parsed } = run;
  const { provider: configuredProvider, modelId } = splitPiModel(config.model);
  const provider = parsed.provider ?? configuredProvider;
  const resultJson: Record<string, unknown> = {
    stdout: proc.stdoutExcerpt,
    stderr: proc.stderrExcerpt,
    sessionFile,
    piSessionId: parsed.sessionId,
    assistantMessages: parsed.assistantMessages,
    stopReason: parsed.stopReason,
    summary: parsed.summary,
  };
  const base: AdapterExecutionResult = {
    exitCode: proc.exitCode,
    signal: proc.signal,
    timedOut: false,
    provider,
    biller: provider,
    model: parsed.model ?? modelId,
    billingType: "api",
    costUsd: parsed.costUsd,
    summary: parsed.summary,
    resultJson,
    ...(parsed.usage ? { usage: parsed.usage } : {}),
    // Only a file Pi actually wrote can be resumed next time.
    ...sessionFields(sessionFileExists(sessionFile) ? sessionFile : null, { clearWhenMissing: forgotStoredSession, displayId: piSessionDisplayId(sessionFile) }),
  };

  if (proc.timedOut) return { ...base, timedOut: true, errorCode: "timeout", errorMessage: `Pi timed out after ${config.timeoutSec}s` };
  if (!failed(run)) {
    if (parsed.assistantMessages === 0 && !proc.cancelled) {
      return { ...base, errorCode: "adapter_failed", errorMessage: "Pi exited without an assistant message (is adapterConfig.command really Pi, and does it support --mode json?)" };
    }
    return base;
  }

  const evidence = evidenceOf(run);
  const kind = classifyProviderFailure(evidence);
  const detail = parsed.errorMessage ?? (kind ? providerFailureLine(evidence, kind) : null) ?? lastLine(run.stderrTail) ?? parsed.nonJsonTail.at(-1) ?? null;
  const errorMessage = `Pi ${exitDescription(proc)}${detail ? `: ${detail.slice(0, 1000)}` : ""}`;
  if (kind === "auth_required") {
    return {
      ...base,
      errorCode: "auth_required",
      errorMessage: `${errorMessage} (log in to ${provider} with "pi" then /login as the server's user, or set the provider's API key, such as ANTHROPIC_API_KEY, in adapterConfig.env)`,
    };
  }
  if (kind === "provider_quota") return { ...base, ...providerQuotaFields(evidence), errorMessage };
  return { ...base, errorCode: "adapter_failed", errorMessage };
}
