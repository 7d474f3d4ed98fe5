/**
 * `claude_local` execute: runs `claude --print - --output-format stream-json --verbose …` with the
 * rendered prompt on stdin (argv has a per-argument size limit a long prompt would overflow), resumes
 * the task's conversation with `--resume <sessionId>`, and maps the parsed stream to a result. A stored
 * session Claude no longer knows is retried once with a fresh one; a usage limit is `provider_quota`
 * with the time it resets. The run's skills are laid out where Claude Code finds them itself (`--add-dir`).
 */
import path from "node:path";
import type { AdapterExecutionContext, AdapterExecutionResult } from "../../types.js";
import { SpawnSetupError, runChildProcess, type RunProcessResult } from "../../utils/child-process.js";
import { invalidConfigResult, lastLine, storedSessionId } from "../../utils/cli-run.js";
import { buildRunEnv, composeChildEnv, redactEnv, runCwd } from "../../utils/env.js";
import { copySkillsInto, readRuntimeSkills, runtimeSkillsRoot } from "../../utils/runtime-skills.js";
import { renderRunPrompt } from "../../utils/template.js";
import { claudeConfigSchema, type ClaudeConfig } from "../config.js";
import { ClaudeStreamParser, isAuthFailure, isUnknownSessionError, truncateSummary, type ClaudeStreamSummary } from "./parse.js";
import { isUsageLimit, usageLimitResetAt } from "./quota.js";

export const CLAUDE_TYPE = "claude_local";

/** argv after the command; the prompt itself goes on stdin (`--print -`). */
export function buildClaudeArgs(config: Pick<ClaudeConfig, "model" | "extraArgs" | "dangerouslySkipPermissions">, resumeSessionId: string | null, addDirs: string[] = []): string[] {
  const args = ["--print", "-", "--output-format", "stream-json", "--verbose"];
  if (config.dangerouslySkipPermissions) args.push("--dangerously-skip-permissions");
  if (config.model) args.push("--model", config.model);
  if (resumeSessionId) args.push("--resume", resumeSessionId);
  for (const dir of addDirs) args.push("--add-dir", dir);
  args.push(...config.extraArgs);
  return args;
}

/**
 * Claude Code (2.1.32 and later) loads `.claude/skills/*` of every `--add-dir` directory. The run's
 * skills (`config.paperclipRuntimeSkills`, in `<run dir>/skills/`) are copied to
 * `<run dir>/claude/.claude/skills/<key>/SKILL.md`, which goes away with the run directory; returns the
 * directory to add, or null when the run has no skills.
 */
function layOutClaudeSkills(config: Record<string, unknown>): string | null {
  const skills = readRuntimeSkills(config);
  const skillsDir = runtimeSkillsRoot(skills);
  if (!skillsDir) return null;
  const addDir = path.join(path.dirname(skillsDir), "claude");
  copySkillsInto(skills, path.join(addDir, ".claude", "skills"));
  return addDir;
}

interface Attempt {
  proc: RunProcessResult;
  parsed: ClaudeStreamSummary;
}

const failed = (a: Attempt) => a.proc.exitCode !== 0 || a.parsed.isError;
const outputOf = (a: Attempt) => `${a.proc.stdoutExcerpt}\n${a.proc.stderrExcerpt}\n${a.parsed.resultText ?? ""}`;

export async function executeClaude(ctx: AdapterExecutionContext): Promise<AdapterExecutionResult> {
  const parsedConfig = claudeConfigSchema.safeParse(ctx.config);
  if (!parsedConfig.success) {
    return invalidConfigResult(parsedConfig.error);
  }
  const config = parsedConfig.data;
  const cwd = runCwd(ctx, config.cwd);
  const env = composeChildEnv(config.env, buildRunEnv(ctx, cwd));
  // Claude loads the skills natively from the --add-dir directory, so the prompt does not list them.
  const skillsAddDir = layOutClaudeSkills(ctx.config);
  const prompt = renderRunPrompt(ctx, config.promptTemplate, { skills: false });

  const attempt = async (resumeSessionId: string | null): Promise<Attempt> => {
    const args = buildClaudeArgs(config, resumeSessionId, skillsAddDir ? [skillsAddDir] : []);
    await ctx.onMeta?.({ adapterType: CLAUDE_TYPE, command: config.command, cwd, commandArgs: args, commandNotes: ["prompt on stdin"], env: redactEnv(env), prompt });
    const parser = new ClaudeStreamParser();
    const proc = await runChildProcess(config.command, args, {
      cwd,
      env,
      timeoutSec: config.timeoutSec,
      graceSec: config.graceSec,
      stdin: prompt,
      onLog: async (stream, chunk) => {
        if (stream === "stdout") parser.push(chunk);
        await ctx.onLog(stream, chunk);
      },
      ...(ctx.onSpawn ? { onSpawn: ctx.onSpawn } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    return { proc, parsed: parser.end() };
  };

  let resumeSessionId = storedSessionId(ctx);
  let clearSession = false;
  let run: Attempt;
  try {
    run = await attempt(resumeSessionId);
    if (resumeSessionId && !run.proc.timedOut && !run.proc.cancelled && failed(run) && isUnknownSessionError(outputOf(run))) {
      await ctx.onLog("stderr", `[switchboard] Claude session ${resumeSessionId} no longer exists; retrying with a fresh session\n`);
      clearSession = true;
      resumeSessionId = null;
      run = await attempt(null);
    }
  } catch (err) {
    if (err instanceof SpawnSetupError) {
      const hint = err.code === "command_not_found" ? " (install Claude Code or set adapterConfig.command)" : "";
      return { exitCode: null, signal: null, timedOut: false, errorCode: err.code, errorMessage: `${err.message}${hint}` };
    }
    throw err;
  }
  return mapClaudeResult(run, { config, resumeSessionId, clearSession });
}

function mapClaudeResult({ proc, parsed }: Attempt, opts: { config: ClaudeConfig; resumeSessionId: string | null; clearSession: boolean }): AdapterExecutionResult {
  const sessionId = parsed.sessionId;
  const resultJson: Record<string, unknown> = {
    stdout: proc.stdoutExcerpt,
    stderr: proc.stderrExcerpt,
    sessionId,
    subtype: parsed.subtype,
    isError: parsed.isError,
    resumedSessionId: opts.resumeSessionId,
  };
  const reported: AdapterExecutionResult = {
    exitCode: proc.exitCode,
    signal: proc.signal,
    timedOut: false,
    provider: "anthropic",
    biller: "anthropic",
    model: parsed.model ?? opts.config.model ?? null,
    billingType: "api",
    usageBasis: "per_run",
    ...(parsed.usage ? { usage: parsed.usage } : {}),
    costUsd: parsed.costUsd,
    summary: truncateSummary(parsed.resultText ?? parsed.lastAssistantText),
    resultJson,
  };
  if (sessionId) {
    reported.sessionId = sessionId;
    reported.sessionParams = { sessionId };
    reported.sessionDisplayId = sessionId;
  } else if (opts.clearSession) {
    reported.clearSession = true;
  }

  if (proc.timedOut) {
    return { ...reported, timedOut: true, errorCode: "timeout", errorMessage: `Timed out after ${opts.config.timeoutSec}s` };
  }
  const run = { proc, parsed };
  if (failed(run)) {
    const output = outputOf(run);
    if (isUnknownSessionError(output)) {
      // A fresh session that is still unknown: do not keep pointing at it.
      return { ...reported, clearSession: true, sessionId: null, sessionParams: null, errorCode: "adapter_failed", errorMessage: lastLine(output) || "Claude session not found" };
    }
    // Only what Claude itself reports (the result, the end of stderr): the agent's own words may mention limits.
    const limitLine = [parsed.resultText ?? "", ...proc.stderrExcerpt.split("\n").slice(-5)].find((l) => isUsageLimit(l));
    if (limitLine) {
      const limitText = truncateSummary(limitLine, 300) ?? "usage limit reached";
      const retryNotBefore = usageLimitResetAt(limitLine);
      resultJson.errorFamily = "provider_quota";
      resultJson.retryNotBefore = retryNotBefore;
      const when = retryNotBefore ? ` It resets at ${retryNotBefore}; runs before then will fail the same way.` : "";
      return { ...reported, errorCode: "provider_quota", errorFamily: "provider_quota", retryNotBefore, errorMessage: `Claude usage limit reached (${limitText}).${when}` };
    }
    if (isAuthFailure(output)) {
      return { ...reported, errorCode: "auth_required", errorMessage: `Claude Code is not authenticated: ${truncateSummary(parsed.resultText ?? lastLine(proc.stderrExcerpt), 300) ?? "authentication failed"}. Log in with \`claude /login\` or set ANTHROPIC_API_KEY in adapterConfig.env` };
    }
    const how = proc.exitCode === null ? `was killed by ${proc.signal ?? "a signal"}` : `exited with code ${proc.exitCode}`;
    const detail = truncateSummary(parsed.isError ? parsed.resultText : null, 500) ?? truncateSummary(lastLine(proc.stderrExcerpt), 500);
    const message = parsed.isError ? `Claude reported an error${parsed.subtype ? ` (${parsed.subtype})` : ""}: ${detail ?? "no details"}` : `Claude ${how}${detail ? `: ${detail}` : ""}`;
    return { ...reported, errorCode: "adapter_failed", errorMessage: message };
  }
  if (!parsed.hasResult) {
    return { ...reported, errorCode: "adapter_failed", errorMessage: "Claude exited without a result event (is the command really Claude Code with stream-json output?)" };
  }
  return reported;
}
