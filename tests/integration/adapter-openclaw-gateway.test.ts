/**
 * `openclaw_gateway` through the real engine, with tests/fixtures/fake-openclaw-gateway.ts (a real
 * WebSocket server that checks the token and the Ed25519 device signature) standing in for OpenClaw.
 */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openclawGatewayModule } from "../../adapters/openclaw-gateway/index.js";
import { logText } from "../helpers/api-client.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";
import { FAKE_MODEL, FAKE_USAGE, startFakeOpenClawGateway, type FakeOpenClawGateway } from "../fixtures/fake-openclaw-gateway.js";

const TOKEN = "oc-gateway-token-7d2a";
let t: TestRuntime;
let gateway: FakeOpenClawGateway;
let companyId: string;

beforeAll(async () => {
  [t, gateway] = await Promise.all([startTestRuntime(), startFakeOpenClawGateway({ token: TOKEN })]);
  companyId = (await t.api.createCompany("Claw Inc")).id;
});
afterAll(async () => {
  await gateway?.close();
  await t?.stop();
});

const createClawAgent = (name: string, extra: Record<string, unknown> = {}) =>
  t.api.createAgent(companyId, { name, adapterType: "openclaw_gateway", adapterConfig: { url: gateway.url, authToken: TOKEN, ...extra } });

const runOnce = async (agentId: string, payload: Record<string, unknown> = {}) =>
  t.api.waitForRun((await t.api.wake(agentId, { source: "on_demand", triggerDetail: "manual", reason: "test", payload })).id);

const requestOf = (runId: string) => gateway.agentRequests.find((r) => r.params.idempotencyKey === runId);

describe("openclaw_gateway", () => {
  it("runs through the gateway, records tokens and cost, logs events, and resumes the task's session", async () => {
    const agent = await createClawAgent("clawdia");
    const first = await runOnce(agent.id, { taskId: "task-1" });
    expect(first).toMatchObject({ status: "succeeded", exitCode: 0, errorCode: null, sessionIdBefore: null, sessionIdAfter: "paperclip:issue:task-1" });

    const stdout = logText((await t.api.runLog(first.id)).content, "stdout");
    expect(stdout).toContain(`[openclaw-gateway:event] run=${first.id} stream=lifecycle data={"phase":"start"`);
    expect(stdout).toContain(`[openclaw-gateway:event] run=${first.id} stream=assistant`);
    expect(stdout).toContain(`stream=tool data={"phase":"start","name":"paperclip_api"`);
    expect(stdout).not.toContain("not yours");
    expect((await t.api.runLog(first.id)).content).not.toContain(TOKEN);

    const costs = await t.runtime.db.selectFrom("cost_events").selectAll().where("agentId", "=", agent.id).execute();
    expect(costs).toHaveLength(1);
    expect(costs[0]).toMatchObject({
      heartbeatRunId: first.id,
      provider: "anthropic",
      model: FAKE_MODEL,
      billingType: "metered_api",
      inputTokens: FAKE_USAGE.input,
      outputTokens: FAKE_USAGE.output,
      cachedInputTokens: FAKE_USAGE.cacheRead,
      costCents: 4,
    });

    const firstRequest = requestOf(first.id);
    expect(firstRequest).toMatchObject({ sessionKey: "paperclip:issue:task-1" });
    expect(String(firstRequest?.params.message)).toContain("You are clawdia");
    const connect = gateway.connects.find((c) => c.accepted);
    expect(connect).toMatchObject({ signatureValid: true, params: { role: "operator", scopes: ["operator.admin"], client: { id: "gateway-client", mode: "backend" } } });

    const second = await runOnce(agent.id, { taskId: "task-1" });
    expect(second).toMatchObject({ status: "succeeded", sessionIdBefore: "paperclip:issue:task-1", sessionIdAfter: "paperclip:issue:task-1" });
    expect(requestOf(second.id)).toMatchObject({ sessionKey: "paperclip:issue:task-1", gatewaySessionId: firstRequest?.gatewaySessionId });
    expect(second.resultJson).toMatchObject({ gatewayRunId: second.id, sessionKey: "paperclip:issue:task-1", gatewaySessionId: firstRequest?.gatewaySessionId });
  });

  it("fails with auth_required when the gateway refuses the token", async () => {
    const agent = await createClawAgent("rotated", { url: `${gateway.url}/bad-token` });
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "failed", errorCode: "auth_required" });
    expect(run.error).toContain("gateway token mismatch");
    expect(run.error).not.toContain(TOKEN);
  });

  it("stops waiting after waitTimeoutMs with openclaw_gateway_wait_timeout", async () => {
    const agent = await createClawAgent("stuck", { url: `${gateway.url}/never-finishes`, waitTimeoutMs: 500 });
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "timed_out", errorCode: "openclaw_gateway_wait_timeout" });
    expect(run.error).toContain("500 ms");
    expect(gateway.waits.find((w) => w.runId === run.id)).toMatchObject({ timeoutMs: 500, status: "timeout" });
  });

  it("rejects a non-WebSocket url at creation", async () => {
    const res = await t.api.post(`/api/companies/${companyId}/agents`, { name: "badurl", role: "engineer", adapterType: "openclaw_gateway", adapterConfig: { url: "http://127.0.0.1:18789" } });
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body)).toContain("ws:// or wss://");
  });

  it("probes the gateway in testEnvironment", async () => {
    const env = (config: Record<string, unknown>) => openclawGatewayModule.testEnvironment({ companyId, adapterType: "openclaw_gateway", config });
    const ok = await env({ url: gateway.url, authToken: TOKEN });
    expect(ok.status).toBe("pass");
    expect(ok.checks.map((c) => c.code)).toEqual(["openclaw_gateway_url_valid", "openclaw_gateway_auth_present", "openclaw_gateway_probe_ok"]);

    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const closedPort = (server.address() as net.AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const down = await env({ url: `ws://127.0.0.1:${closedPort}` });
    expect(down.status).toBe("fail");
    expect(down.checks.map((c) => c.code)).toEqual(["openclaw_gateway_url_valid", "openclaw_gateway_auth_missing", "openclaw_gateway_probe_failed"]);

    const refused = await env({ url: `${gateway.url}/bad-token`, authToken: TOKEN });
    expect(refused.checks.find((c) => c.code === "openclaw_gateway_probe_failed")).toMatchObject({ detail: "failure kind: auth" });

    const remote = await env({ url: "ws://10.255.255.1:18789", authToken: TOKEN, timeoutSec: 1 });
    expect(remote.checks.find((c) => c.code === "openclaw_gateway_plaintext_remote_ws")?.level).toBe("warn");
    expect((await env({ url: "https://x" })).checks.map((c) => c.code)).toEqual(["openclaw_gateway_url_protocol_invalid"]);
    expect((await env({})).checks.map((c) => c.code)).toEqual(["openclaw_gateway_url_missing"]);
    expect((await env({ url: "::nope" })).checks.map((c) => c.code)).toEqual(["openclaw_gateway_url_invalid"]);
  });
});
