/**
 * `claude_local`: runs Claude Code (`claude -p … --output-format stream-json --verbose`) as the agent,
 * resumes its conversation across heartbeats with `--resume <sessionId>`, and reports tokens, cost and
 * a summary parsed from the stream. An unknown stored session is retried once with a fresh one.
 */
import os from "node:os";
import type {
  AdapterEnvironmentTestContext,
  AdapterEnvironmentTestResult,
  AdapterExecutionContext,
  AdapterExecutionResult,
  BuiltinAdapter,
  ServerAdapterModule,
} from "../types.js";
import { SpawnSetupError, runChildProcess, type RunProcessResult } from "../utils/child-process.js";
import { testCliEnvironment } from "../utils/cli-environment.js";
import { schemaConfigValidator, schemaMaxRunSeconds, sessionIdCodec } from "../utils/adapter-config.js";
import { buildPaperclipEnv, composeChildEnv, redactEnv } from "../utils/env.js";
import { DEFAULT_CLAUDE_PROMPT_TEMPLATE, claudeConfigSchema, renderPromptTemplate, type ClaudeConfig } from "./config.js";
import { ClaudeStreamParser, isAuthFailure, isUnknownSessionError, truncateSummary, type ClaudeStreamSummary } from "./parse.js";

export const type = "claude_local";

export function buildClaudeArgs(config: ClaudeConfig, prompt: string, resumeSessionId: string | null): string[] {
  const args = ["-p", prompt, "--output-format", "stream-json", "--verbose"];
  if (config.dangerouslySkipPermissions) args.push("--dangerously-skip-permissions");
  if (config.model) args.push("--model", config.model);
  if (resumeSessionId) args.push("--resume", resumeSessionId);
  args.push(...config.extraArgs);
  return args;
}

interface Attempt {
  proc: RunProcessResult;
  parsed: ClaudeStreamSummary;
}

function storedSessionId(ctx: AdapterExecutionContext): string | null {
  const fromParams = ctx.runtime.sessionParams?.sessionId;
  if (typeof fromParams === "string" && fromParams) return fromParams;
  return ctx.runtime.sessionId || null;
}

function lastLine(text: string): string {
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  return lines[lines.length - 1] ?? "";
}

async function execute(ctx: AdapterExecutionContext): Promise<AdapterExecutionResult> {
  const parsedConfig = claudeConfigSchema.safeParse(ctx.config);
  if (!parsedConfig.success) {
    return { exitCode: null, signal: null, timedOut: false, errorCode: "adapter_config_invalid", errorMessage: parsedConfig.error.issues.map((i) => i.message).join("; ") };
  }
  const config = parsedConfig.data;
  const workspace = (ctx.context.paperclipWorkspace ?? {}) as { cwd?: unknown; agentHome?: unknown; source?: unknown };
  const cwd = config.cwd ?? (typeof workspace.cwd === "string" ? workspace.cwd : os.tmpdir());
  const apiUrl = typeof ctx.context.paperclipApiUrl === "string" ? ctx.context.paperclipApiUrl : "";
  const env = composeChildEnv(config.env, {
    ...buildPaperclipEnv({ agentId: ctx.agent.id, companyId: ctx.agent.companyId, apiUrl, runId: ctx.runId, authToken: ctx.authToken, context: ctx.context }),
    PAPERCLIP_WORKSPACE_CWD: cwd,
    ...(typeof workspace.source === "string" ? { PAPERCLIP_WORKSPACE_SOURCE: workspace.source } : {}),
    ...(typeof workspace.agentHome === "string" ? { AGENT_HOME: workspace.agentHome } : {}),
  });
  const wakeReason = typeof ctx.context.wakeReason === "string" && ctx.context.wakeReason ? ctx.context.wakeReason : "heartbeat";
  const prompt = renderPromptTemplate(config.promptTemplate ?? DEFAULT_CLAUDE_PROMPT_TEMPLATE, {
    agentName: ctx.agent.name,
    agentId: ctx.agent.id,
    runId: ctx.runId,
    wakeReason,
  });

  const attempt = async (resumeSessionId: string | null): Promise<Attempt> => {
    const args = buildClaudeArgs(config, prompt, resumeSessionId);
    await ctx.onMeta?.({ adapterType: type, command: config.command, cwd, commandArgs: args, env: redactEnv(env), prompt });
    const parser = new ClaudeStreamParser();
    const proc = await runChildProcess(config.command, args, {
      cwd,
      env,
      timeoutSec: config.timeoutSec,
      graceSec: config.graceSec,
      onLog: async (stream, chunk) => {
        if (stream === "stdout") parser.push(chunk);
        await ctx.onLog(stream, chunk);
      },
      ...(ctx.onSpawn ? { onSpawn: ctx.onSpawn } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    return { proc, parsed: parser.end() };
  };

  const failed = (a: Attempt) => a.proc.exitCode !== 0 || a.parsed.isError;
  const outputOf = (a: Attempt) => `${a.proc.stdoutExcerpt}\n${a.proc.stderrExcerpt}\n${a.parsed.resultText ?? ""}`;

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

  const { proc, parsed } = run;
  const sessionId = parsed.sessionId;
  const reported: AdapterExecutionResult = {
    exitCode: proc.exitCode,
    signal: proc.signal,
    timedOut: false,
    provider: "anthropic",
    biller: "anthropic",
    model: parsed.model ?? config.model ?? null,
    billingType: "api",
    ...(parsed.usage ? { usage: parsed.usage } : {}),
    costUsd: parsed.costUsd,
    summary: truncateSummary(parsed.resultText ?? parsed.lastAssistantText),
    resultJson: {
      stdout: proc.stdoutExcerpt,
      stderr: proc.stderrExcerpt,
      sessionId,
      subtype: parsed.subtype,
      isError: parsed.isError,
      resumedSessionId: resumeSessionId,
    },
  };
  if (sessionId) {
    reported.sessionId = sessionId;
    reported.sessionParams = { sessionId };
    reported.sessionDisplayId = sessionId;
  } else if (clearSession) {
    reported.clearSession = true;
  }

  if (proc.timedOut) {
    return { ...reported, timedOut: true, errorCode: "timeout", errorMessage: `Timed out after ${config.timeoutSec}s` };
  }
  if (failed(run)) {
    const output = outputOf(run);
    if (isUnknownSessionError(output)) {
      // A fresh session that is still unknown: do not keep pointing at it.
      return { ...reported, clearSession: true, sessionId: null, sessionParams: null, errorCode: "adapter_failed", errorMessage: lastLine(output) || "Claude session not found" };
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

export const claudeSessionCodec = sessionIdCodec;

async function testEnvironment(ctx: AdapterEnvironmentTestContext): Promise<AdapterEnvironmentTestResult> {
  return testCliEnvironment({ prefix: "claude", label: "Claude Code command", defaultCommand: "claude", installHint: "Install Claude Code (npm install -g @anthropic-ai/claude-code) or set adapterConfig.command to its absolute path", configSchema: claudeConfigSchema }, ctx);
}

export const claudeLocalAdapterModule: ServerAdapterModule = {
  type,
  execute,
  testEnvironment,
  sessionCodec: claudeSessionCodec,
  supportsLocalAgentJwt: true,
  models: [
    { id: "opus", label: "Claude Opus (latest)" },
    { id: "sonnet", label: "Claude Sonnet (latest)" },
    { id: "haiku", label: "Claude Haiku (latest)" },
  ],
  agentConfigurationDoc: [
    "# claude_local adapter",
    "Runs Claude Code (`claude -p <prompt> --output-format stream-json --verbose`) for each heartbeat and resumes its session with --resume.",
    "- command (string, default \"claude\"): executable name on PATH or absolute path",
    "- cwd (absolute path): working directory; default: the agent's workspace or home",
    "- model (string): passed as --model",
    "- promptTemplate (string): placeholders {{agent.name}}, {{agent.id}}, {{runId}}, {{wakeReason}}",
    "- extraArgs (string[]): appended to the command line",
    "- env (object): extra environment; values are strings or secret bindings; PAPERCLIP_* names are reserved",
    "- dangerouslySkipPermissions (boolean): adds --dangerously-skip-permissions",
    "- timeoutSec (number, 0 = none), graceSec (number, default 20)",
  ].join("\n"),
};

export const claudeLocalAdapter: BuiltinAdapter = {
  module: claudeLocalAdapterModule,
  validateConfig: schemaConfigValidator(claudeConfigSchema),
  // Two attempts at most: a stale session is retried once with a fresh one.
  maxRunSeconds: schemaMaxRunSeconds(claudeConfigSchema, 2),
};
