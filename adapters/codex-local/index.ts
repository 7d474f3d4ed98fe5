/**
 * `codex_local`: runs the OpenAI Codex CLI (`codex exec --json`) as the agent, resuming the task's
 * Codex thread (`codex exec resume <thread_id>`) when one is stored. Tokens come from the JSONL
 * `turn.completed` events; Codex reports no cost.
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
import { buildPaperclipEnv, composeChildEnv, redactEnv } from "../utils/env.js";
import { SpawnSetupError, runChildProcess } from "../utils/child-process.js";
import { testCliEnvironment } from "../utils/cli-environment.js";
import { schemaConfigValidator, schemaMaxRunSeconds, sessionIdCodec } from "../utils/adapter-config.js";
import { DEFAULT_CODEX_PROMPT, codexConfigSchema, renderCodexPrompt, type CodexConfig } from "./config.js";
import { CodexJsonlParser, classifyCodexFailure, retryNotBeforeFrom, truncateUtf8 } from "./parse.js";

export const type = "codex_local";

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

async function execute(ctx: AdapterExecutionContext): Promise<AdapterExecutionResult> {
  const parsed = codexConfigSchema.safeParse(ctx.config ?? {});
  if (!parsed.success) {
    return { exitCode: null, signal: null, timedOut: false, errorCode: "adapter_config_invalid", errorMessage: parsed.error.issues.map((i) => i.message).join("; ") };
  }
  const config = parsed.data;
  const workspace = (ctx.context.paperclipWorkspace ?? {}) as { cwd?: unknown; agentHome?: unknown; source?: unknown };
  const cwd = config.cwd ?? (typeof workspace.cwd === "string" ? workspace.cwd : os.tmpdir());
  const apiUrl = typeof ctx.context.paperclipApiUrl === "string" ? ctx.context.paperclipApiUrl : "";
  const wakeReason = typeof ctx.context.wakeReason === "string" && ctx.context.wakeReason ? ctx.context.wakeReason : "heartbeat";
  const prompt = renderCodexPrompt(config.promptTemplate ?? DEFAULT_CODEX_PROMPT, { agentName: ctx.agent.name, runId: ctx.runId, wakeReason });
  const threadId = storedThreadId(ctx);
  const args = buildCodexArgs(config, prompt, threadId);
  const env = composeChildEnv(config.env, {
    ...buildPaperclipEnv({ agentId: ctx.agent.id, companyId: ctx.agent.companyId, apiUrl, runId: ctx.runId, authToken: ctx.authToken, context: ctx.context }),
    PAPERCLIP_WORKSPACE_CWD: cwd,
    ...(typeof workspace.source === "string" ? { PAPERCLIP_WORKSPACE_SOURCE: workspace.source } : {}),
    ...(typeof workspace.agentHome === "string" ? { AGENT_HOME: workspace.agentHome } : {}),
  });
  await ctx.onMeta?.({
    adapterType: type,
    command: config.command,
    cwd,
    commandArgs: args,
    commandNotes: [threadId ? `resuming Codex thread ${threadId}` : "starting a new Codex thread"],
    env: redactEnv(env),
    prompt,
  });

  const parser = new CodexJsonlParser();
  let stderrTail = "";
  let runResult;
  try {
    runResult = await runChildProcess(config.command, args, {
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
  } catch (err) {
    if (err instanceof SpawnSetupError) {
      const hint = err.code === "command_not_found" ? ' (install it with "npm install -g @openai/codex" or set adapterConfig.command)' : "";
      return { exitCode: null, signal: null, timedOut: false, errorCode: err.code, errorMessage: err.message + hint };
    }
    throw err;
  }
  const state = parser.end();
  const sessionThread = state.threadId ?? threadId;
  const summary = state.lastMessage ? truncateUtf8(state.lastMessage) : null;
  const resultJson: Record<string, unknown> = { stdout: runResult.stdoutExcerpt, stderr: runResult.stderrExcerpt, threadId: sessionThread, turns: state.turnsCompleted, summary };
  const base: AdapterExecutionResult = {
    exitCode: runResult.exitCode,
    signal: runResult.signal,
    timedOut: runResult.timedOut,
    usage: { ...state.usage },
    provider: "openai",
    biller: "openai",
    model: config.model ?? null,
    billingType: "api",
    costUsd: null,
    summary,
    resultJson,
    ...(sessionThread ? { sessionId: sessionThread, sessionParams: { sessionId: sessionThread }, sessionDisplayId: sessionThread } : {}),
  };
  if (runResult.timedOut) return { ...base, errorCode: "timeout", errorMessage: `Timed out after ${config.timeoutSec}s` };

  const failedByEvent = state.errorMessage !== null;
  if (runResult.exitCode === 0 && !failedByEvent) return base;

  // Failed: say why, as precisely as the output allows.
  const how =
    runResult.exitCode === null ? `was killed by ${runResult.signal ?? "a signal"}` : runResult.exitCode === 0 ? "reported a failed turn" : `exited with code ${runResult.exitCode}`;
  const detail = state.errorMessage ?? state.errorMessages.at(-1) ?? lastLine(stderrTail);
  const errorMessage = `Codex ${how}${detail ? `: ${detail.slice(0, 1000)}` : ""}`;
  const evidence = [...state.errorMessages, stderrTail].join("\n");
  const kind = classifyCodexFailure(evidence);
  if (kind === "auth_required") {
    return { ...base, errorCode: "auth_required", errorMessage: `${errorMessage} (run "codex login" as the server's user, or set OPENAI_API_KEY in adapterConfig.env)` };
  }
  if (kind === "quota_exceeded") {
    const retryNotBefore = retryNotBeforeFrom(evidence);
    if (retryNotBefore) resultJson.retryNotBefore = retryNotBefore;
    return { ...base, errorCode: "quota_exceeded", errorMessage };
  }
  if (kind === "unknown_thread" && threadId) {
    // The stored thread is gone (another machine, a wiped CODEX_HOME): forget it so the next run starts fresh.
    const { sessionId: _s, sessionParams: _p, sessionDisplayId: _d, ...rest } = base;
    return { ...rest, clearSession: true, errorCode: "adapter_failed", errorMessage: `${errorMessage} (stored thread ${threadId} is unknown; the next run starts a new thread)` };
  }
  return { ...base, errorCode: "adapter_failed", errorMessage };
}

function lastLine(text: string): string | null {
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  return lines.at(-1) ?? null;
}

async function testEnvironment(ctx: AdapterEnvironmentTestContext): Promise<AdapterEnvironmentTestResult> {
  return testCliEnvironment({ prefix: "codex", label: "Codex CLI", defaultCommand: "codex", installHint: "Install the Codex CLI (\"npm install -g @openai/codex\"), or set adapterConfig.command to its absolute path", configSchema: codexConfigSchema }, ctx);
}

export const codexSessionCodec = sessionIdCodec;

export const codexLocalAdapterModule: ServerAdapterModule = {
  type,
  execute,
  testEnvironment,
  sessionCodec: codexSessionCodec,
  supportsLocalAgentJwt: true,
  models: [],
  agentConfigurationDoc: [
    "# codex_local adapter",
    "Runs the OpenAI Codex CLI non-interactively: `codex exec --json … <prompt>`, or `codex exec resume <thread_id> --json … <prompt>` when the task has a stored thread.",
    "- command (string, default \"codex\"): executable path or name on PATH",
    "- cwd (absolute path): working directory; default: the agent's own home under the data directory ($AGENT_HOME)",
    "- model (string): passed as -m",
    "- promptTemplate (string): the prompt; {{agent.name}}, {{runId}} and {{wakeReason}} are substituted",
    "- extraArgs (string[]): more Codex arguments, placed before the prompt",
    "- bypassApprovalsAndSandbox (boolean, default false): adds --dangerously-bypass-approvals-and-sandbox",
    "- env (object): extra environment (e.g. OPENAI_API_KEY as a secret_ref); PAPERCLIP_* names are reserved",
    "- timeoutSec (number, 0 = none), graceSec (number, default 15)",
    "Tokens come from turn.completed events (cost is not reported by Codex); the summary is the last agent message.",
  ].join("\n"),
};

export const codexLocalAdapter: BuiltinAdapter = {
  module: codexLocalAdapterModule,
  validateConfig: schemaConfigValidator(codexConfigSchema),
  maxRunSeconds: schemaMaxRunSeconds(codexConfigSchema),
};
