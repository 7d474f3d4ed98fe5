/** openclaw_gateway pure parts: config validation, device signature, session keys, result parsing. */
import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { openclawGatewayAdapter } from "../../adapters/openclaw-gateway/index.js";
import { configSecrets, displayUrl, redactSecrets, resolveGatewayToken, upgradeHeaders } from "../../adapters/openclaw-gateway/config.js";
import { buildDeviceAuthPayload, fromBase64Url, generateEphemeralIdentity } from "../../adapters/openclaw-gateway/server/device-identity.js";
import { buildAgentParams } from "../../adapters/openclaw-gateway/server/execute.js";
import { buildConnectParams } from "../../adapters/openclaw-gateway/server/handshake.js";
import { RunEventTracker, parseFinalPayload, parseUsage } from "../../adapters/openclaw-gateway/server/parse.js";
import { deriveSessionKey, resolveSessionKey, sessionKeyCodec } from "../../adapters/openclaw-gateway/server/session.js";

const validate = openclawGatewayAdapter.validateConfig;

describe("openclaw_gateway config", () => {
  it("requires a ws:// or wss:// url and says so", () => {
    expect(validate({ url: "ws://127.0.0.1:18789" })).toEqual([]);
    expect(validate({ url: "wss://gw.example.com" })).toEqual([]);
    expect(validate({})[0]).toMatchObject({ path: "url", message: expect.stringContaining("url is required") });
    expect(validate({ url: "http://127.0.0.1:18789" })[0]?.message).toContain("ws:// or wss://");
    expect(validate({ url: "not a url" })[0]?.message).toContain("not a valid URL");
  });

  it("rejects a device key that is not Ed25519 and scopes given as a string", () => {
    const rsa = crypto.generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    expect(validate({ url: "ws://127.0.0.1:1", devicePrivateKeyPem: rsa })[0]?.message).toContain("Ed25519");
    expect(validate({ url: "ws://127.0.0.1:1", scopes: "operator.admin" })[0]?.message).toContain("array");
    expect(validate({ url: "ws://127.0.0.1:1", sessionKeyStrategy: "task" })[0]?.message).toContain('"issue", "fixed" or "run"');
  });

  it("bounds a run by timeoutSec plus grace (a day when unbounded)", () => {
    expect(openclawGatewayAdapter.maxRunSeconds({ url: "ws://127.0.0.1:1" })).toBe(150);
    expect(openclawGatewayAdapter.maxRunSeconds({ url: "ws://127.0.0.1:1", timeoutSec: 0 })).toBe(86_400);
  });

  it("finds the token wherever it was put, and redacts it", () => {
    expect(resolveGatewayToken({ headers: { "X-OpenClaw-Token": "tok-h" } })).toBe("tok-h");
    expect(resolveGatewayToken({ headers: { Authorization: "Bearer tok-b" } })).toBe("tok-b");
    expect(resolveGatewayToken({ authToken: "tok-a", headers: { "x-openclaw-token": "tok-h" } })).toBe("tok-a");
    expect(upgradeHeaders({ token: "tok-t", headers: {} })).toEqual({ authorization: "Bearer tok-t" });
    const secrets = configSecrets({ authToken: "s3cret-token", password: "hunter22", headers: { "x-openclaw-token": "hdr-token" } });
    expect(redactSecrets("a s3cret-token b hunter22 c hdr-token", secrets)).toBe("a ***REDACTED*** b ***REDACTED*** c ***REDACTED***");
    expect(displayUrl("wss://user:pw@gw.example.com:443/ws?token=abc")).toBe("wss://gw.example.com/ws");
  });
});

describe("device identity and connect params", () => {
  it("signs the documented v2 payload over the challenge nonce, verifiable with the sent public key", () => {
    const device = generateEphemeralIdentity();
    const params = buildConnectParams(
      { url: "ws://x", headers: {}, token: "tok", password: null, clientId: "gateway-client", clientMode: "backend", clientVersion: "1", role: "operator", scopes: ["operator.admin", "operator.read"], device, timeoutMs: 1000 },
      "nonce-123",
      1_700_000_000_000,
    );
    const sent = params.device as { id: string; publicKey: string; signature: string; signedAt: number; nonce: string };
    expect(sent).toMatchObject({ id: device.deviceId, signedAt: 1_700_000_000_000, nonce: "nonce-123" });
    const raw = fromBase64Url(sent.publicKey);
    expect(crypto.createHash("sha256").update(raw).digest("hex")).toBe(sent.id);
    const payload = buildDeviceAuthPayload({ deviceId: sent.id, clientId: "gateway-client", clientMode: "backend", role: "operator", scopes: ["operator.admin", "operator.read"], signedAtMs: 1_700_000_000_000, token: "tok", nonce: "nonce-123" });
    expect(payload).toBe(`v2|${sent.id}|gateway-client|backend|operator|operator.admin,operator.read|1700000000000|tok|nonce-123`);
    const key = crypto.createPublicKey({ key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), raw]), format: "der", type: "spki" });
    expect(crypto.verify(null, Buffer.from(payload), key, fromBase64Url(sent.signature))).toBe(true);
    expect(crypto.verify(null, Buffer.from(payload.replace("nonce-123", "nonce-999")), key, fromBase64Url(sent.signature))).toBe(false);
    expect(params).toMatchObject({ minProtocol: 3, role: "operator", auth: { token: "tok" }, client: { id: "gateway-client", mode: "backend" } });
  });

  it("omits the device block when device auth is disabled and auth when there is no credential", () => {
    const params = buildConnectParams({ url: "ws://x", headers: {}, token: null, password: null, clientId: "c", clientMode: "backend", clientVersion: "1", role: "operator", scopes: ["operator.admin"], device: null, timeoutMs: 1000 }, "n");
    expect(params.device).toBeUndefined();
    expect(params.auth).toBeUndefined();
  });
});

describe("session keys", () => {
  const base = { sessionKeyStrategy: "issue" as const, sessionKey: "paperclip", agentId: undefined };
  const ctx = (context: Record<string, unknown>, sessionParams: Record<string, unknown> | null = null) => ({
    runId: "run-1",
    context,
    runtime: { sessionId: null, sessionParams, sessionDisplayId: null, taskKey: null },
  });

  it("derives per strategy", () => {
    expect(deriveSessionKey(base, { runId: "r", taskId: "T-1" })).toBe("paperclip:issue:T-1");
    expect(deriveSessionKey(base, { runId: "r", taskId: null })).toBe("paperclip");
    expect(deriveSessionKey({ ...base, sessionKeyStrategy: "fixed", sessionKey: "ops" }, { runId: "r", taskId: "T-1" })).toBe("ops");
    expect(deriveSessionKey({ ...base, sessionKeyStrategy: "run" }, { runId: "r-9", taskId: "T-1" })).toBe("paperclip:run:r-9");
    expect(deriveSessionKey({ ...base, agentId: "main" }, { runId: "r", taskId: "T-1" })).toBe("agent:main:paperclip:issue:T-1");
  });

  it("reuses a stored key for issue, never for run", () => {
    expect(resolveSessionKey(base, ctx({ taskId: "T-1" }, { sessionKey: "paperclip:issue:T-1" }))).toEqual({ sessionKey: "paperclip:issue:T-1", resumed: true });
    expect(resolveSessionKey({ ...base, sessionKeyStrategy: "run" }, ctx({ taskId: "T-1" }, { sessionKey: "old" })).sessionKey).toBe("paperclip:run:run-1");
    expect(resolveSessionKey(base, ctx({ issueId: "I-7" })).sessionKey).toBe("paperclip:issue:I-7");
  });

  it("round-trips through the codec", () => {
    expect(sessionKeyCodec.deserialize({ session_key: "k1" })).toEqual({ sessionKey: "k1" });
    expect(sessionKeyCodec.deserialize({ sessionId: "x" })).toBeNull();
    expect(sessionKeyCodec.serialize({ sessionKey: "k2", other: 1 })).toEqual({ sessionKey: "k2" });
    expect(sessionKeyCodec.getDisplayId?.({ sessionKey: "k3" })).toBe("k3");
  });
});

describe("agent request and results", () => {
  it("keeps idempotencyKey and sessionKey ours and turns a template message into a prefix", () => {
    const params = buildAgentParams({ payloadTemplate: { message: "Be brief.", idempotencyKey: "evil", sessionKey: "evil", thinking: "low" }, agentId: "main" }, "Do the work", "run-1", "k");
    expect(params).toEqual({ thinking: "low", agentId: "main", message: "Be brief.\n\nDo the work", idempotencyKey: "run-1", sessionKey: "k" });
  });

  it("reads usage, cost, model and text from the final agent result", () => {
    const report = parseFinalPayload({
      runId: "r",
      status: "ok",
      result: { payloads: [{ text: "one" }, { text: "two" }, { nope: 1 }], meta: { durationMs: 12, agentMeta: { sessionId: "s", provider: "anthropic", model: "m", usage: { input: 10, output: 5, cacheRead: 7 }, costUsd: 0.5 } } },
    });
    expect(report).toMatchObject({ status: "ok", resultText: "one\n\ntwo", usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 7 }, costUsd: 0.5, provider: "anthropic", model: "m", gatewaySessionId: "s", durationMs: 12 });
    expect(parseFinalPayload(null)).toMatchObject({ usage: null, costUsd: null, resultText: null });
    expect(parseUsage({ input: -5, output: "9", cacheRead: Number.NaN })).toBeNull();
    expect(parseFinalPayload({ result: { meta: { agentMeta: { costUsd: -1 } } } }).costUsd).toBeNull();
  });

  it("logs only the run's own events and keeps the assistant text", () => {
    const tracker = new RunEventTracker("run-1");
    expect(tracker.accept({ runId: "other", stream: "assistant", data: { delta: "x" } })).toBeNull();
    expect(tracker.accept("garbage")).toBeNull();
    expect(tracker.accept({ runId: "run-1", stream: "assistant", data: { text: "Hello", delta: "Hello" } })).toBe('[openclaw-gateway:event] run=run-1 stream=assistant data={"text":"Hello","delta":"Hello"}\n');
    tracker.accept({ runId: "run-1", stream: "assistant", data: { delta: " world" } });
    tracker.accept({ runId: "run-1", stream: "lifecycle", data: { phase: "error", error: "model overloaded" } });
    expect(tracker.lastAssistantText).toBe("Hello world");
    expect(tracker.lifecycleError).toBe("model overloaded");
    expect(tracker.eventCount).toBe(3);
  });
});
