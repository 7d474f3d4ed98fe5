/**
 * One heartbeat through an OpenClaw gateway: handshake (challenge → signed `connect`), `req agent`
 * with the rendered prompt (idempotency key = run id, so a retried attempt cannot start the work
 * twice), `req agent.wait`, then the final `agent` result for usage, cost and the summary. Every
 * `event agent` frame of the run is logged as
 * `[openclaw-gateway:event] run=<id> stream=<s> data=<json>` for the transcript parsers.
 *
 * Three clocks bound a run: the handshake (≤ 15 s), `waitTimeoutMs` for `agent.wait`
 * (→ `openclaw_gateway_wait_timeout`) and `timeoutSec` for everything (→ `timeout`). Cancelling the
 * run closes the socket. Credentials never reach a log line, the invocation card or an error message.
 */
import path from "node:path";
import type { AdapterExecutionContext, AdapterExecutionResult } from "../../types.js";
import { failedBeforeRun, invalidConfigResult } from "../../utils/cli-run.js";
import { renderRunPrompt } from "../../utils/template.js";
import { truncateText } from "../../utils/text.js";
import {
  configSecrets,
  displayUrl,
  isLoopbackHost,
  openclawGatewayConfigSchema,
  redactSecrets,
  resolveGatewayToken,
  upgradeHeaders,
  type OpenClawGatewayConfig,
} from "../config.js";
import { DeviceKeyError, loadDeviceIdentity, type DeviceIdentity } from "./device-identity.js";
import {
  GatewayAbortedError,
  GatewayClosedError,
  GatewayRequestError,
  GatewayTimeoutError,
  asRecord,
  asText,
  withDeadline,
  type GatewaySocket,
} from "./gateway-socket.js";
import { HandshakeError, configuredHandshake, connectGateway } from "./handshake.js";
import { LIFECYCLE_LOG_PREFIX, RunEventTracker, parseFinalPayload } from "./parse.js";
import { resolveSessionKey } from "./session.js";

export const OPENCLAW_GATEWAY_TYPE = "openclaw_gateway";
export const WAIT_TIMEOUT_CODE = "openclaw_gateway_wait_timeout";
const HANDSHAKE_MAX_MS = 15_000;
/** How much longer than `agent.wait`'s own timeout we give the gateway to answer it. */
const WAIT_ANSWER_GRACE_MS = 10_000;
/** After `agent.wait` says ok, how long the final `agent` result (usage, cost) may still take. */
const FINAL_RESULT_GRACE_MS = 5_000;
/** `timeoutSec: 0` means no overall bound; `agent.wait` still needs one. */
const UNBOUNDED_WAIT_MS = 24 * 3600 * 1000;
const FINAL_STATUSES = new Set(["ok", "error", "timeout", "completed", "failed", "cancelled", "aborted"]);

const statusOf = (payload: unknown): string | null => asText(asRecord(payload)?.status)?.toLowerCase() ?? null;

/** `agent` params: payloadTemplate fields, then ours (a template `message`/`text` becomes a prefix of the prompt). */
export function buildAgentParams(config: Pick<OpenClawGatewayConfig, "payloadTemplate" | "agentId">, prompt: string, runId: string, sessionKey: string): Record<string, unknown> {
  const template: Record<string, unknown> = { ...config.payloadTemplate };
  const prefix = asText(template.message) ?? asText(template.text);
  delete template.message;
  delete template.text;
  return {
    ...template,
    ...(config.agentId && !asText(template.agentId) ? { agentId: config.agentId } : {}),
    message: prefix ? `${prefix}\n\n${prompt}` : prompt,
    idempotencyKey: runId,
    sessionKey,
  };
}

function failure(errorCode: string, errorMessage: string, extra: Partial<AdapterExecutionResult> = {}): AdapterExecutionResult {
  return { exitCode: 1, signal: null, timedOut: false, errorCode, errorMessage, ...extra };
}

const AUTH_REFUSAL = /unauthori[sz]ed|forbidden|missing scope|scope|pairing|not[_ ]paired/i;

export async function executeOpenClawGateway(ctx: AdapterExecutionContext): Promise<AdapterExecutionResult> {
  const parsed = openclawGatewayConfigSchema.safeParse(ctx.config);
  if (!parsed.success) return invalidConfigResult(parsed.error);
  const config = parsed.data;
  const secrets = configSecrets(config);
  const redact = (text: string) => redactSecrets(text, secrets);
  const url = config.url.trim();
  const shownUrl = displayUrl(url);

  // Log lines are written in order even though events arrive while an earlier write is in flight.
  let logChain: Promise<void> = Promise.resolve();
  const emit = (stream: "stdout" | "stderr", text: string) => {
    logChain = logChain.then(() => ctx.onLog(stream, redact(text))).catch(() => undefined);
  };
  const note = (text: string, stream: "stdout" | "stderr" = "stdout") => emit(stream, `${LIFECYCLE_LOG_PREFIX} ${text}\n`);

  const { sessionKey, resumed } = resolveSessionKey(config, ctx);
  const workspace = asRecord(ctx.context.paperclipWorkspace);
  const agentHome = asText(workspace?.agentHome);
  let device: DeviceIdentity | null = null;
  if (!config.disableDeviceAuth) {
    try {
      device = loadDeviceIdentity(config.devicePrivateKeyPem, agentHome && path.isAbsolute(agentHome) ? agentHome : null);
    } catch (err) {
      if (err instanceof DeviceKeyError) return failedBeforeRun("adapter_config_invalid", err.message);
      throw err;
    }
  }
  const token = resolveGatewayToken(config);
  const headers = upgradeHeaders(config);
  const prompt = renderRunPrompt(ctx, config.promptTemplate);
  const agentParams = buildAgentParams(config, prompt, ctx.runId, sessionKey);

  const overallMs = config.timeoutSec * 1000;
  const waitTimeoutMs = config.waitTimeoutMs ?? (overallMs > 0 ? overallMs : UNBOUNDED_WAIT_MS);
  const handshakeMs = overallMs > 0 ? Math.min(overallMs, HANDSHAKE_MAX_MS) : HANDSHAKE_MAX_MS;

  await ctx.onMeta?.({
    adapterType: OPENCLAW_GATEWAY_TYPE,
    command: "openclaw-gateway",
    commandArgs: ["ws", shownUrl, "agent"],
    commandNotes: [
      `sessionKey=${sessionKey} (${config.sessionKeyStrategy}${resumed ? ", resumed" : ""})`,
      device ? `device auth: ${device.source} key, deviceId=${device.deviceId}` : "device auth disabled",
      `credentials: ${token ? "token" : "no token"}${config.password ? " + password" : ""}; upgrade headers: ${Object.keys(headers).sort().join(", ") || "none"}`,
      `agent request fields: ${Object.keys(agentParams).sort().join(", ")}`,
    ],
    prompt,
  });
  if (new URL(url).protocol === "ws:" && !isLoopbackHost(new URL(url).hostname)) {
    note("warning: plaintext ws:// to a non-loopback host; the gateway token travels unencrypted — prefer wss://", "stderr");
  }
  if (device?.source === "generated") note(`generated a device key for this agent at ${device.keyPath}; the gateway may ask to pair it once`);
  if (device?.source === "ephemeral") note("no agent home to keep a device key in: using a key for this run only (the gateway may ask to pair it)");

  // One controller for "stop now": the overall timeout or the run's cancellation.
  const stop = new AbortController();
  let stopReason: "timeout" | "cancelled" | null = null;
  const halt = (why: "timeout" | "cancelled") => {
    stopReason ??= why;
    stop.abort(new Error(why === "timeout" ? `timed out after ${config.timeoutSec}s` : "run cancelled"));
  };
  const overallTimer = overallMs > 0 ? setTimeout(() => halt("timeout"), overallMs) : null;
  const onCancel = () => halt("cancelled");
  if (ctx.signal?.aborted) onCancel();
  else ctx.signal?.addEventListener("abort", onCancel, { once: true });

  const tracker = new RunEventTracker(ctx.runId);
  let socket: GatewaySocket | null = null;
  let gatewayRunId = ctx.runId;
  const resultJson = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    gatewayRunId,
    sessionKey,
    eventCount: tracker.eventCount,
    ...extra,
  });
  const withSession = { sessionParams: { sessionKey }, sessionDisplayId: sessionKey };

  try {
    note(`connecting to ${shownUrl}`);
    const connected = await connectGateway(
      {
        ...configuredHandshake(config),
        device,
        timeoutMs: handshakeMs,
        signal: stop.signal,
        onEvent: (event) => {
          if (event.event === "agent") {
            const line = tracker.accept(event.payload);
            if (line) emit("stdout", line);
          } else if (event.event === "shutdown") {
            note(`gateway shutdown notice: ${JSON.stringify(event.payload ?? {}).slice(0, 500)}`, "stderr");
          }
        },
      },
      shownUrl,
    );
    socket = connected.socket;
    note(`connected (protocol ${connected.protocol ?? "unknown"}${connected.serverVersion ? `, gateway ${connected.serverVersion}` : ""}); sessionKey=${sessionKey}`);

    ctx.onDispatch?.();
    const request = socket.requestWithFinal("agent", agentParams, (payload) => FINAL_STATUSES.has(statusOf(payload) ?? ""));
    const ack = await withDeadline(request.ack, handshakeMs, () => new GatewayTimeoutError(`the gateway did not acknowledge the agent request within ${handshakeMs} ms`));
    gatewayRunId = asText(asRecord(ack)?.runId)?.slice(0, 200) ?? ctx.runId;
    tracker.track(gatewayRunId);
    const ackStatus = statusOf(ack);
    note(`agent accepted runId=${gatewayRunId} status=${ackStatus ?? "unknown"}`);

    let finalPayload: unknown = null;
    let waitStatus: string | null = null;
    if (FINAL_STATUSES.has(ackStatus ?? "")) {
      finalPayload = ack;
    } else {
      let waitPayload: Record<string, unknown> | null;
      try {
        waitPayload = asRecord(await socket.request("agent.wait", { runId: gatewayRunId, timeoutMs: waitTimeoutMs }, waitTimeoutMs + WAIT_ANSWER_GRACE_MS));
      } catch (err) {
        if (!(err instanceof GatewayTimeoutError)) throw err;
        waitPayload = { status: "timeout" };
      }
      waitStatus = statusOf(waitPayload);
      if (waitStatus === "timeout") {
        note(`agent.wait timed out after ${waitTimeoutMs} ms; the run may still be going on the gateway`, "stderr");
        return failure(WAIT_TIMEOUT_CODE, `The OpenClaw run ${gatewayRunId} did not finish within waitTimeoutMs (${waitTimeoutMs} ms)`, {
          timedOut: true,
          resultJson: resultJson({ waitStatus }),
          ...withSession,
        });
      }
      if (waitStatus === "error") {
        const why = asText(waitPayload?.error) ?? asText(asRecord(waitPayload?.error)?.message) ?? tracker.lifecycleError ?? "no reason given";
        return failure("adapter_failed", `The OpenClaw run ${gatewayRunId} failed: ${redact(why.slice(0, 2000))}`, { resultJson: resultJson({ waitStatus }), ...withSession });
      }
      if (waitStatus !== "ok") {
        return failure("adapter_failed", `agent.wait answered with an unexpected status "${waitStatus ?? "none"}" for run ${gatewayRunId}`, { resultJson: resultJson({ waitStatus }) });
      }
      // The final result usually arrived before agent.wait's answer; give it a moment if not.
      finalPayload = await withDeadline(request.final, FINAL_RESULT_GRACE_MS, () => new GatewayTimeoutError("no final agent result")).catch((err: unknown) => {
        if (err instanceof GatewayRequestError) throw err;
        note("the gateway sent no final agent result: usage and cost are unknown for this run", "stderr");
        return null;
      });
    }

    const report = parseFinalPayload(finalPayload);
    const summary = truncateText(report.resultText ?? tracker.lastAssistantText);
    if (report.status && report.status !== "ok" && report.status !== "completed") {
      const why = report.error ?? tracker.lifecycleError ?? `status ${report.status}`;
      return failure("adapter_failed", `The OpenClaw run ${gatewayRunId} ended with ${redact(why.slice(0, 2000))}`, { summary, resultJson: resultJson({ status: report.status, waitStatus }), ...withSession });
    }
    note(`run completed runId=${gatewayRunId}${report.usage ? ` tokens in=${report.usage.inputTokens} out=${report.usage.outputTokens}` : ""}`);
    const provider = report.provider ?? "openclaw";
    return {
      exitCode: 0,
      signal: null,
      timedOut: false,
      provider,
      biller: provider,
      model: report.model,
      billingType: report.billingType ?? (report.costUsd !== null ? "api" : "unknown"),
      ...(report.usage ? { usage: report.usage, usageBasis: "per_run" as const } : {}),
      costUsd: report.costUsd,
      summary,
      sessionId: sessionKey,
      ...withSession,
      resultJson: resultJson({ status: report.status ?? waitStatus, waitStatus, gatewaySessionId: report.gatewaySessionId, durationMs: report.durationMs }),
    };
  } catch (err) {
    if (stopReason === "timeout") {
      return failure("timeout", `Timed out after ${config.timeoutSec}s talking to the OpenClaw gateway (timeoutSec)`, { timedOut: true, resultJson: resultJson(), ...withSession });
    }
    if (stopReason === "cancelled" || err instanceof GatewayAbortedError) {
      note("run cancelled: closed the gateway connection", "stderr");
      return { exitCode: null, signal: null, timedOut: false, errorCode: "cancelled", errorMessage: "Run cancelled", resultJson: resultJson() };
    }
    const result = mapRunError(err, gatewayRunId);
    note(`request failed: ${result.errorMessage ?? "unknown error"}`, "stderr");
    return { ...result, errorMessage: redact(result.errorMessage ?? ""), resultJson: resultJson() };
  } finally {
    if (overallTimer) clearTimeout(overallTimer);
    ctx.signal?.removeEventListener("abort", onCancel);
    socket?.close("paperclip run finished");
    await logChain;
  }
}

function mapRunError(err: unknown, gatewayRunId: string): AdapterExecutionResult {
  if (err instanceof HandshakeError) return failure(err.kind === "auth" ? "auth_required" : "adapter_failed", err.message);
  if (err instanceof GatewayRequestError) {
    const code = AUTH_REFUSAL.test(err.message) ? "auth_required" : "adapter_failed";
    return failure(code, `The OpenClaw gateway rejected ${err.method}: ${err.message}`);
  }
  if (err instanceof GatewayClosedError) return failure("adapter_failed", `The OpenClaw gateway closed the connection before run ${gatewayRunId} finished (${err.closeCode}${err.reason ? `: ${err.reason}` : ""})`);
  if (err instanceof GatewayTimeoutError) return failure("adapter_failed", `The OpenClaw gateway stopped answering: ${err.message}`);
  return failure("adapter_failed", `OpenClaw gateway run failed: ${err instanceof Error ? err.message : String(err)}`);
}
