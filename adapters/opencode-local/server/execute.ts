/**
 * One heartbeat of an `opencode_local` agent: `opencode run --format json [--session <id>] --model
 * provider/model …` with the prompt on stdin, resuming the task's OpenCode session when one is stored.
 * Tokens and cost come from the `step_finish` events; a stored session OpenCode no longer has is
 * retried once with a fresh one.
 */
import type { AdapterExecutionContext, AdapterExecutionResult } from "../../types.js";
import { exitDescription, invalidConfigResult, lastLine, runCliSession, sessionFields, storedSessionId, withoutSession, type CliAttempt } from "../../utils/cli-run.js";
import { buildRunEnv, composeChildEnv, redactEnv, runCwd } from "../../utils/env.js";
import { providerQuotaFields } from "../../utils/provider-failure.js";
import { renderRunPrompt } from "../../utils/template.js";
import { truncateText } from "../../utils/text.js";
import { opencodeConfigSchema, providerOfModel, type OpencodeConfig } from "../config.js";
import { classifyOpencodeFailure, isUnknownOpencodeSession } from "./errors.js";
import { OpencodeJsonlParser, type OpencodeParseState } from "./parse.js";

export const OPENCODE_TYPE = "opencode_local";

/** argv after the command. The prompt is never in argv: it goes on stdin. */
export function buildOpencodeArgs(config: Pick<OpencodeConfig, "model" | "variant" | "extraArgs">, sessionId: string | null): string[] {
  const args = ["run", "--format", "json"];
  if (sessionId) args.push("--session", sessionId);
  args.push("--model", config.model);
  if (config.variant) args.push("--variant", config.variant);
  args.push(...config.extraArgs);
  return args;
}

/**
 * OpenCode reads a whole runtime config from `OPENCODE_CONFIG_CONTENT`. Headless runs cannot answer a
 * permission prompt, so with `dangerouslySkipPermissions` every permission (including paths outside
 * the working directory) is allowed; a config the agent's env already carries is kept and extended.
 */
export function opencodeRuntimeEnv(config: Pick<OpencodeConfig, "dangerouslySkipPermissions">, configuredContent: unknown): Record<string, string> {
  const env: Record<string, string> = { OPENCODE_DISABLE_PROJECT_CONFIG: "true" };
  if (!config.dangerouslySkipPermissions) return env;
  let base: Record<string, unknown> = {};
  if (typeof configuredContent === "string" && configuredContent.trim()) {
    try {
      const parsed: unknown = JSON.parse(configuredContent);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) base = parsed as Record<string, unknown>;
    } catch {
      // Not JSON: OpenCode would reject it too; replace it with ours rather than pass garbage on.
    }
  }
  const permission = base.permission && typeof base.permission === "object" && !Array.isArray(base.permission) ? (base.permission as Record<string, unknown>) : {};
  env.OPENCODE_CONFIG_CONTENT = JSON.stringify({ ...base, permission: { ...permission, "*": "allow", external_directory: "allow" } });
  return env;
}

type Attempt = CliAttempt<OpencodeParseState>;

const failed = (a: Attempt) => a.proc.exitCode !== 0 || a.parsed.errors.length > 0;
/** What a failure says about itself: error events and stderr — not stdout, where the agent's own words are. */
const failureText = (a: Attempt) => [...a.parsed.errors.map((e) => e.message), a.stderrTail].join("\n");

export async function executeOpencode(ctx: AdapterExecutionContext): Promise<AdapterExecutionResult> {
  const parsedConfig = opencodeConfigSchema.safeParse(ctx.config ?? {});
  if (!parsedConfig.success) return invalidConfigResult(parsedConfig.error);
  const config = parsedConfig.data;
  const cwd = runCwd(ctx, config.cwd);
  const prompt = renderRunPrompt(ctx, config.promptTemplate);
  const env = composeChildEnv(config.env, { ...buildRunEnv(ctx, cwd), ...opencodeRuntimeEnv(config, config.env.OPENCODE_CONFIG_CONTENT) });
  // The agent's own OpenCode config may carry provider keys, and once merged it no longer matches the
  // secret value the log scrubber knows: never show it on the invocation card.
  const shownEnv = redactEnv(env);
  if ("OPENCODE_CONFIG_CONTENT" in config.env) shownEnv.OPENCODE_CONFIG_CONTENT = "***REDACTED***";

  const stored = storedSessionId(ctx);
  const outcome = await runCliSession(ctx, {
    adapterType: OPENCODE_TYPE,
    command: config.command,
    cwd,
    env,
    shownEnv,
    prompt,
    promptOnStdin: true,
    limits: config,
    storedSession: stored,
    args: (sessionId) => buildOpencodeArgs(config, sessionId),
    notes: (sessionId) => [sessionId ? `resuming OpenCode session ${sessionId}` : "starting a new OpenCode session", "prompt sent on stdin"],
    parser: () => new OpencodeJsonlParser(),
    isStaleSession: (a) => failed(a) && isUnknownOpencodeSession(failureText(a)),
    retryNotice: `OpenCode session ${stored} no longer exists; retrying with a fresh session`,
    installHint: 'install OpenCode with "npm install -g opencode-ai" or set adapterConfig.command',
  });
  if (!outcome.started) return outcome.result;
  return resultOf(outcome.run, config, { resumedSessionId: outcome.resumedSessionId, clearSession: outcome.retriedFresh });
}

function resultOf(run: Attempt, config: OpencodeConfig, session: { resumedSessionId: string | null; clearSession: boolean }): AdapterExecutionResult {
  const { proc, parsed } = run;
  const provider = providerOfModel(config.model);
  const summary = truncateText(parsed.lastText);
  const resultJson: Record<string, unknown> = {
    stdout: proc.stdoutExcerpt,
    stderr: proc.stderrExcerpt,
    sessionId: parsed.sessionId,
    resumedSessionId: session.resumedSessionId,
    steps: parsed.steps,
    toolErrors: parsed.toolErrors,
    errors: parsed.errors,
  };
  const base: AdapterExecutionResult = {
    exitCode: proc.exitCode,
    signal: proc.signal,
    timedOut: false,
    usage: { ...parsed.usage },
    usageBasis: "per_run",
    costUsd: parsed.costUsd,
    provider,
    biller: provider,
    model: config.model,
    billingType: "api",
    summary,
    resultJson,
    ...sessionFields(parsed.sessionId, { clearWhenMissing: session.clearSession }),
  };

  if (proc.timedOut) return { ...base, timedOut: true, errorCode: "timeout", errorMessage: `OpenCode timed out after ${config.timeoutSec}s` };
  if (!failed(run)) return base;

  const detail = parsed.errors.at(-1)?.message ?? lastLine(run.stderrTail);
  const errorMessage = `OpenCode ${exitDescription(proc)}${detail ? `: ${detail.slice(0, 1000)}` : ""}`;
  switch (classifyOpencodeFailure(parsed.errors, run.stderrTail)) {
    case "auth_required":
      return { ...base, errorCode: "auth_required", errorMessage: `${errorMessage} (log in with "opencode auth login" as the server's user, or set the provider's API key, e.g. ${provider.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_API_KEY, in adapterConfig.env)` };
    case "provider_quota":
      return { ...base, ...providerQuotaFields(failureText(run)), errorMessage };
    case "unknown_session":
      // Even a fresh session was refused: do not keep pointing at it.
      return { ...withoutSession(base), errorCode: "adapter_failed", errorMessage };
    default:
      return { ...base, errorCode: "adapter_failed", errorMessage };
  }
}
