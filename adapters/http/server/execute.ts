/**
 * `http` execute: POST `{...payloadTemplate, agentId, runId, context, apiUrl, runToken}` to the
 * agent's endpoint. Synchronous mode: the answer ends the run (a 2xx JSON body may report summary,
 * usage, cost, session). Async mode (`asyncCallback: true`): the body also carries `callback.url`; an
 * endpoint that answers 202 keeps the run running — durably, in the run workflow, with no process or
 * activity open — until it posts its result there or `callbackTimeoutSec` passes.
 */
import type { AdapterExecutionContext, AdapterExecutionResult } from "../../types.js";
import { failedBeforeRun, invalidConfigResult } from "../../utils/cli-run.js";
import { httpConfigSchema, requestTimeoutMs } from "../config.js";
import { RequestTimeoutError, sendJson, type HttpAnswer } from "./request.js";
import { bodyReport, retryAfterIso } from "./response.js";
import { TargetBlockedError, privateAllowlist, resolveTarget } from "./target-guard.js";

const LOGGED_BODY_MAX = 64 * 1024;

/** The wake context minus what only makes sense on this machine (local paths, the local API URL). */
function remoteContext(context: Record<string, unknown>): Record<string, unknown> {
  const { paperclipWorkspace: _w, paperclipWorkspaces: _ws, paperclipApiUrl: _u, ...rest } = context;
  return rest;
}

function fail(errorCode: string, errorMessage: string, extra: Partial<AdapterExecutionResult> = {}): AdapterExecutionResult {
  return { ...failedBeforeRun(errorCode, errorMessage), ...extra };
}

export async function executeHttp(ctx: AdapterExecutionContext): Promise<AdapterExecutionResult> {
  const parsed = httpConfigSchema.safeParse(ctx.config);
  if (!parsed.success) return invalidConfigResult(parsed.error);
  const config = parsed.data;
  const url = new URL(config.url);
  const label = `HTTP ${config.method} ${url.origin}${url.pathname}`;
  const timeoutMs = requestTimeoutMs(config);
  const callback = config.asyncCallback && ctx.runCallback ? { ...ctx.runCallback, timeoutSec: config.callbackTimeoutSec } : undefined;
  const apiUrl = typeof ctx.context.paperclipApiUrl === "string" ? ctx.context.paperclipApiUrl : undefined;
  const body = {
    ...config.payloadTemplate,
    agentId: ctx.agent.id,
    runId: ctx.runId,
    companyId: ctx.agent.companyId,
    context: remoteContext(ctx.context),
    ...(apiUrl ? { apiUrl } : {}),
    ...(ctx.authToken ? { runToken: ctx.authToken } : {}),
    ...(callback ? { callback } : {}),
  };
  await ctx.onMeta?.({ adapterType: "http", command: label, commandNotes: [callback ? `async: results expected at the callback URL within ${callback.timeoutSec}s` : "synchronous"] });

  let answer: HttpAnswer;
  try {
    const target = await resolveTarget(url, privateAllowlist());
    ctx.onDispatch?.();
    answer = await sendJson({ url, method: config.method, headers: config.headers, body, target, timeoutMs, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  } catch (err) {
    if (err instanceof TargetBlockedError) return fail("http_target_blocked", `${label} refused: ${err.message}`);
    if (err instanceof RequestTimeoutError) return { ...fail("timeout", `${label} timed out after ${timeoutMs}ms`), timedOut: true };
    if (ctx.signal?.aborted) return fail("cancelled", `${label} cancelled`);
    const reason = err instanceof Error ? err.message : String(err);
    return fail("http_unreachable", `${label} could not be reached: ${reason}`);
  }

  const shown = answer.body.length > LOGGED_BODY_MAX ? `${answer.body.slice(0, LOGGED_BODY_MAX)}\n[truncated]` : answer.body;
  await ctx.onLog("stderr", `[switchboard] ${label} answered ${answer.status}\n`);
  if (shown) await ctx.onLog("stdout", shown.endsWith("\n") ? shown : `${shown}\n`);
  const resultJson = { status: answer.status, body: answer.body.slice(0, 4000), bodyTruncated: answer.truncated || answer.body.length > 4000 };

  if (answer.status === 202 && callback) {
    await ctx.onLog("stderr", `[switchboard] the endpoint accepted the run; waiting up to ${callback.timeoutSec}s for its result at the callback URL\n`);
    return { exitCode: null, signal: null, timedOut: false, awaitCallback: { timeoutSec: callback.timeoutSec }, resultJson };
  }
  if (answer.status >= 200 && answer.status < 300) {
    return { exitCode: 0, signal: null, timedOut: false, summary: `${label} → ${answer.status}`, ...bodyReport(answer.body), resultJson };
  }
  const detail = answer.body.trim().slice(0, 300);
  const message = `${label} answered ${answer.status}${detail ? `: ${detail}` : ""}`;
  if (answer.status === 401 || answer.status === 403) return fail("auth_required", `${message} (check the headers in adapterConfig)`, { resultJson });
  if (answer.status === 429) {
    const retryNotBefore = retryAfterIso(answer.headers["retry-after"]);
    return fail("provider_quota", message, { errorFamily: "provider_quota", ...(retryNotBefore ? { retryNotBefore } : {}), resultJson });
  }
  return fail("http_error", message, { resultJson });
}
