/**
 * openclaw_gateway `execute` against tests/fixtures/fake-openclaw-gateway.ts over a real socket (no
 * engine): device key persistence, credentials kept out of every output, cancellation, timeouts and
 * connection failures. The engine path is in tests/integration/adapter-openclaw-gateway.test.ts.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openclawGatewayModule } from "../../adapters/openclaw-gateway/index.js";
import { DEVICE_KEY_FILE } from "../../adapters/openclaw-gateway/server/device-identity.js";
import type { AdapterExecutionContext, AdapterInvocationMeta } from "../../adapters/types.js";
import { FAKE_COST_USD, FAKE_FINAL_TEXT, startFakeOpenClawGateway, type FakeOpenClawGateway } from "../fixtures/fake-openclaw-gateway.js";

const TOKEN = "gw-token-5f1c9e";
let gateway: FakeOpenClawGateway;

beforeAll(async () => {
  gateway = await startFakeOpenClawGateway({ token: TOKEN });
});
afterAll(async () => gateway?.close());

interface Captured {
  logs: Array<{ stream: string; chunk: string }>;
  meta: AdapterInvocationMeta[];
  dispatched: number;
}

function context(config: Record<string, unknown>, opts: { agentHome?: string | null; signal?: AbortSignal; runId?: string } = {}): { ctx: AdapterExecutionContext; captured: Captured } {
  const captured: Captured = { logs: [], meta: [], dispatched: 0 };
  const agentHome = opts.agentHome === undefined ? fs.mkdtempSync(path.join(os.tmpdir(), "oc-home-")) : opts.agentHome;
  const ctx: AdapterExecutionContext = {
    runId: opts.runId ?? crypto.randomUUID(),
    agent: { id: "agent-1", companyId: "co-1", name: "clawdia", adapterType: "openclaw_gateway", adapterConfig: config },
    runtime: { sessionId: null, sessionParams: null, sessionDisplayId: null, taskKey: null },
    config,
    context: { taskId: "task-42", wakeReason: "issue_assigned", ...(agentHome ? { paperclipWorkspace: { cwd: agentHome, source: "agent_home", agentHome } } : {}) },
    onLog: async (stream, chunk) => {
      captured.logs.push({ stream, chunk });
    },
    onMeta: async (meta) => {
      captured.meta.push(meta);
    },
    onDispatch: () => {
      captured.dispatched += 1;
    },
    ...(opts.signal ? { signal: opts.signal } : {}),
  };
  return { ctx, captured };
}

const everything = (c: Captured, result: unknown) => JSON.stringify({ logs: c.logs, meta: c.meta, result });

describe("openclaw_gateway execute", () => {
  it("runs, persists one device key per agent (0600), and never shows the token", async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "oc-home-"));
    const first = context({ url: gateway.url, authToken: TOKEN }, { agentHome: home });
    const result = await openclawGatewayModule.execute(first.ctx);
    expect(result.errorMessage).toBeUndefined();
    expect(result).toMatchObject({ exitCode: 0, summary: FAKE_FINAL_TEXT, costUsd: FAKE_COST_USD, sessionParams: { sessionKey: "paperclip:issue:task-42" } });
    expect(first.captured.dispatched).toBe(1);
    const keyPath = path.join(home, DEVICE_KEY_FILE);
    expect(fs.statSync(keyPath).mode & 0o777).toBe(0o600);
    const firstDevice = gateway.connects.at(-1)?.deviceId;
    expect(gateway.connects.at(-1)).toMatchObject({ signatureValid: true, accepted: true, authorizationHeader: `Bearer ${TOKEN}` });

    const second = context({ url: gateway.url, authToken: TOKEN }, { agentHome: home });
    expect((await openclawGatewayModule.execute(second.ctx)).exitCode).toBe(0);
    expect(gateway.connects.at(-1)?.deviceId).toBe(firstDevice);

    expect(everything(first.captured, result)).not.toContain(TOKEN);
    const stdout = first.captured.logs.filter((l) => l.stream === "stdout").map((l) => l.chunk).join("");
    expect(stdout).toContain(`[openclaw-gateway:event] run=${first.ctx.runId} stream=assistant`);
    expect(stdout).not.toContain("not yours");
  });

  it("signs with a configured key and writes no key file", async () => {
    const pem = crypto.generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "oc-home-"));
    const { ctx } = context({ url: gateway.url, token: TOKEN, devicePrivateKeyPem: pem }, { agentHome: home });
    expect((await openclawGatewayModule.execute(ctx)).exitCode).toBe(0);
    const raw = crypto.createPublicKey(pem).export({ type: "spki", format: "der" }).subarray(12);
    expect(gateway.connects.at(-1)?.deviceId).toBe(crypto.createHash("sha256").update(raw).digest("hex"));
    expect(fs.existsSync(path.join(home, DEVICE_KEY_FILE))).toBe(false);
  });

  it("tightens a key file others can read, and refuses a corrupt one with a fix", async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "oc-home-"));
    const keyPath = path.join(home, DEVICE_KEY_FILE);
    fs.writeFileSync(keyPath, crypto.generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString(), { mode: 0o644 });
    fs.chmodSync(keyPath, 0o644);
    expect((await openclawGatewayModule.execute(context({ url: gateway.url, authToken: TOKEN }, { agentHome: home }).ctx)).exitCode).toBe(0);
    expect(fs.statSync(keyPath).mode & 0o777).toBe(0o600);
    fs.writeFileSync(keyPath, "not a key");
    const result = await openclawGatewayModule.execute(context({ url: gateway.url, authToken: TOKEN }, { agentHome: home }).ctx);
    expect(result).toMatchObject({ errorCode: "adapter_config_invalid", errorMessage: expect.stringContaining("delete it") });
  });

  it("maps a refused token to auth_required without echoing it", async () => {
    const { ctx, captured } = context({ url: gateway.url, authToken: "wrong-token-123" });
    const result = await openclawGatewayModule.execute(ctx);
    expect(result).toMatchObject({ exitCode: 1, errorCode: "auth_required", errorMessage: expect.stringContaining("token mismatch") });
    expect(captured.dispatched).toBe(0);
    expect(everything(captured, result)).not.toContain("wrong-token-123");
  });

  it("reports a closed port as a connection failure", async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const result = await openclawGatewayModule.execute(context({ url: `ws://127.0.0.1:${port}`, authToken: TOKEN }).ctx);
    expect(result).toMatchObject({ errorCode: "adapter_failed", errorMessage: expect.stringContaining("Cannot connect to the OpenClaw gateway") });
  });

  it("closes the socket when the run is cancelled", async () => {
    const abort = new AbortController();
    const { ctx } = context({ url: `${gateway.url}/never-finishes`, authToken: TOKEN }, { signal: abort.signal });
    const running = openclawGatewayModule.execute(ctx);
    await expect.poll(() => gateway.agentRequests.some((r) => r.params.idempotencyKey === ctx.runId), { timeout: 5_000 }).toBe(true);
    expect(gateway.openConnections()).toBeGreaterThan(0);
    abort.abort();
    expect(await running).toMatchObject({ errorCode: "cancelled" });
    await expect.poll(() => gateway.openConnections(), { timeout: 5_000 }).toBe(0);
  });

  it("stops at timeoutSec even when agent.wait would wait longer", async () => {
    const started = Date.now();
    const result = await openclawGatewayModule.execute(context({ url: `${gateway.url}/never-finishes`, authToken: TOKEN, timeoutSec: 1, waitTimeoutMs: 60_000 }).ctx);
    expect(result).toMatchObject({ errorCode: "timeout", timedOut: true });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
