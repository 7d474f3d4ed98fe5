/**
 * `http` through the real engine, against a real endpoint on loopback (allowed through the operator's
 * private-endpoint allowlist): synchronous answers, failures, the SSRF guard, and the async mode where
 * the endpoint answers 202 and posts its result to the signed callback URL later.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, logText } from "../helpers/api-client.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";
import { sleep, waitFor } from "../helpers/wait.js";

interface Received {
  headers?: http.IncomingHttpHeaders;
  path: string;
  body: Record<string, any>;
  meStatus?: number;
  meAgentId?: string;
}

let t: TestRuntime;
let companyId: string;
let endpoint: http.Server;
let base: string;
const received: Received[] = [];

/** Behaviour by path; every request body is recorded. */
async function handle(req: http.IncomingMessage, res: http.ServerResponse, api: () => ApiClient): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const path = req.url ?? "/";
  if (req.method === "HEAD") return res.writeHead(200).end();
  const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : {};
  const rec: Received & { headers?: http.IncomingHttpHeaders } = { path, body, headers: req.headers };
  received.push(rec);
  if (path === "/ok") {
    // The run token works against the API while the run is running.
    const me = await api().as(body.runToken).withHeaders({ "x-paperclip-run-id": body.runId }).get("/api/agents/me");
    rec.meStatus = me.status;
    rec.meAgentId = me.body?.id;
    res.writeHead(200, { "content-type": "application/json" });
    return res.end(JSON.stringify({ summary: "triaged 3 issues", usage: { inputTokens: 900, outputTokens: 120, cachedInputTokens: 50 }, costUsd: 0.042, model: "remote-model-1", provider: "acme" }));
  }
  if (path === "/boom") return res.writeHead(500).end("internal kaboom");
  if (path === "/quota") return res.writeHead(429, { "retry-after": "120" }).end("slow down");
  if (path === "/hang") return undefined; // never answers
  if (path === "/async" || path === "/async-silent") {
    res.writeHead(202, { "content-type": "application/json" }).end(JSON.stringify({ status: "accepted" }));
    if (path === "/async") void reportLater(body.callback.url);
    return undefined;
  }
  return res.writeHead(404).end();
}

async function post(url: string, body: unknown) {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

const callbackAnswers: Array<{ status: number; body: any }> = [];
async function reportLater(callbackUrl: string) {
  await sleep(300);
  callbackAnswers.push(await post(callbackUrl, { type: "log", stream: "stdout", chunk: "remote agent: working on it" }));
  await sleep(300);
  callbackAnswers.push(await post(callbackUrl, { type: "result", status: "succeeded", summary: "remote work done", usage: { inputTokens: 10, outputTokens: 5 }, costUsd: 0.01, model: "remote-model-2" }));
  callbackAnswers.push(await post(callbackUrl, { type: "result", status: "failed", errorMessage: "second result" }));
}

beforeAll(async () => {
  endpoint = http.createServer((req, res) => void handle(req, res, () => t.api));
  await new Promise<void>((r) => endpoint.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}`;
  // The operator allows this one loopback origin; every other private target stays refused.
  process.env.PAPERCLIP_HTTP_ADAPTER_PRIVATE_ENDPOINT_ALLOWLIST = base;
  t = await startTestRuntime();
  companyId = (await t.api.createCompany("Http Inc")).id;
});
afterAll(async () => {
  delete process.env.PAPERCLIP_HTTP_ADAPTER_PRIVATE_ENDPOINT_ALLOWLIST;
  endpoint?.closeAllConnections();
  endpoint?.close();
  await t?.stop();
});

const createHttpAgent = (name: string, adapterConfig: Record<string, unknown>) => t.api.createAgent(companyId, { name, adapterType: "http", adapterConfig });
const runOnce = async (agentId: string, timeoutMs = 30_000) => t.api.waitForRun((await t.api.wake(agentId, { source: "on_demand", triggerDetail: "manual", reason: "test" })).id, timeoutMs);

describe("http adapter", () => {
  it("posts the run with a working run token and records the reported summary, tokens and cost", async () => {
    const agent = await createHttpAgent("remote", { url: `${base}/ok`, payloadTemplate: { team: "blue" }, headers: { "x-endpoint-key": "k1" } });
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "succeeded", exitCode: 0, errorCode: null });
    expect(run.resultJson).toMatchObject({ status: 200, summary: "triaged 3 issues" });
    const rec = received.find((r) => r.body.runId === run.id);
    expect(rec?.body).toMatchObject({ team: "blue", agentId: agent.id, runId: run.id, companyId, context: expect.any(Object) });
    expect(rec?.body.context.paperclipWorkspace).toBeUndefined();
    expect(rec?.meStatus).toBe(200);
    expect(rec?.meAgentId).toBe(agent.id);
    const costs = await t.runtime.db.selectFrom("cost_events").selectAll().where("heartbeatRunId", "=", run.id).execute();
    expect(costs).toEqual([expect.objectContaining({ inputTokens: 900, outputTokens: 120, cachedInputTokens: 50, model: "remote-model-1", provider: "acme", costCents: 4 })]);
  });

  it("maps error statuses: 500 → http_error, 429 → provider_quota with retryNotBefore from Retry-After", async () => {
    const boom = await runOnce((await createHttpAgent("boom", { url: `${base}/boom` })).id);
    expect(boom).toMatchObject({ status: "failed", errorCode: "http_error" });
    expect(boom.error).toContain("500");
    expect(boom.error).toContain("internal kaboom");
    const before = Date.now();
    const quota = await runOnce((await createHttpAgent("quota", { url: `${base}/quota` })).id);
    expect(quota).toMatchObject({ status: "failed", errorCode: "provider_quota" });
    expect(quota.resultJson.errorFamily).toBe("provider_quota");
    const retryAt = Date.parse(quota.resultJson.retryNotBefore);
    expect(retryAt).toBeGreaterThanOrEqual(before + 100_000);
  });

  it("times out a request that never answers", async () => {
    const run = await runOnce((await createHttpAgent("slow", { url: `${base}/hang`, timeoutMs: 500 })).id);
    expect(run).toMatchObject({ status: "timed_out", errorCode: "timeout" });
  });

  it("refuses private and link-local targets that the operator did not allow", async () => {
    const other = http.createServer((_q, s) => s.end("should never be called"));
    await new Promise<void>((r) => other.listen(0, "127.0.0.1", r));
    let called = false;
    other.on("request", () => (called = true));
    try {
      const port = (other.address() as AddressInfo).port;
      const loopback = await runOnce((await createHttpAgent("ssrf-loop", { url: `http://127.0.0.1:${port}/x` })).id);
      expect(loopback).toMatchObject({ status: "failed", errorCode: "http_target_blocked" });
      expect(loopback.error).toContain("PAPERCLIP_HTTP_ADAPTER_PRIVATE_ENDPOINT_ALLOWLIST");
      const metadata = await runOnce((await createHttpAgent("ssrf-meta", { url: "http://169.254.169.254/latest/meta-data" })).id);
      expect(metadata).toMatchObject({ status: "failed", errorCode: "http_target_blocked" });
      expect(called).toBe(false);
    } finally {
      other.close();
    }
  });

  it("async mode: 202 keeps the run running until the endpoint posts its result to the signed callback URL", async () => {
    callbackAnswers.length = 0;
    const agent = await createHttpAgent("async", { url: `${base}/async`, asyncCallback: true, callbackTimeoutSec: 60 });
    const queued = await t.api.wake(agent.id, { source: "on_demand", triggerDetail: "manual", reason: "test" });
    const rec = await waitFor("the endpoint to receive the run", () => received.find((r) => r.body.runId === queued.id));
    expect(rec.body.callback).toMatchObject({ url: expect.stringContaining(`/api/heartbeat-runs/${queued.id}/callback?sig=`), timeoutSec: 60 });
    // Between the 202 and the result the run is still running.
    expect((await t.api.get(`/api/heartbeat-runs/${queued.id}`)).body.status).toBe("running");

    const run = await t.api.waitForRun(queued.id);
    expect(run).toMatchObject({ status: "succeeded", errorCode: null });
    expect(run.resultJson).toMatchObject({ source: "callback", summary: "remote work done" });
    expect(logText((await t.api.runLog(run.id)).content, "stdout")).toContain("remote agent: working on it");
    const costs = await t.runtime.db.selectFrom("cost_events").selectAll().where("heartbeatRunId", "=", run.id).execute();
    expect(costs).toEqual([expect.objectContaining({ inputTokens: 10, outputTokens: 5, model: "remote-model-2" })]);
    await waitFor("the second result to be answered", () => callbackAnswers.length >= 3);
    expect(callbackAnswers.map((a) => a.status)).toEqual([202, 202, 409]);

    // The URL is bound to its run: a forged signature or another run's id is refused.
    const forged = rec.body.callback.url.replace(/sig=[^&]+/, "sig=forged");
    expect((await post(forged, { type: "log", chunk: "x" })).status).toBe(401);
    const otherRun = rec.body.callback.url.replace(queued.id, "00000000-0000-4000-8000-000000000000");
    expect((await post(otherRun, { type: "log", chunk: "x" })).status).toBe(401);
    expect((await post(rec.body.callback.url, { type: "verdict" })).status).toBe(400);
  });

  it("async mode: no result before callbackTimeoutSec → timed_out / callback_timeout; cancel works while waiting", async () => {
    const silent = await createHttpAgent("silent", { url: `${base}/async-silent`, asyncCallback: true, callbackTimeoutSec: 2 });
    const run = await runOnce(silent.id);
    expect(run).toMatchObject({ status: "timed_out", errorCode: "callback_timeout" });

    const waiting = await createHttpAgent("cancelled", { url: `${base}/async-silent`, asyncCallback: true, callbackTimeoutSec: 600 });
    const queued = await t.api.wake(waiting.id, { source: "on_demand", triggerDetail: "manual", reason: "test" });
    await waitFor("the endpoint to receive the run", () => received.find((r) => r.body.runId === queued.id));
    await sleep(200);
    expect((await t.api.post(`/api/heartbeat-runs/${queued.id}/cancel`, {})).status).toBe(200);
    expect(await t.api.waitForRun(queued.id)).toMatchObject({ status: "cancelled" });
  });

  it("a header may be a secret binding: the endpoint gets the value, the agent row keeps the reference", async () => {
    const secret = (await t.api.post(`/api/companies/${companyId}/secrets`, { name: "endpoint-key", value: "s3cr3t-endpoint-key" })).body;
    const binding = { type: "secret_ref", secretId: secret.id };
    const agent = await createHttpAgent("keyed", { url: `${base}/ok`, headers: { "x-endpoint-key": binding } });
    const run = await runOnce(agent.id);
    expect(run.status).toBe("succeeded");
    expect(received.find((r) => r.body.runId === run.id)?.headers?.["x-endpoint-key"]).toBe("s3cr3t-endpoint-key");
    const stored = (await t.api.get(`/api/agents/${agent.id}`)).body;
    expect(stored.adapterConfig.headers["x-endpoint-key"]).toEqual(binding);
    expect(JSON.stringify(stored)).not.toContain("s3cr3t-endpoint-key");
  });

  it("rejects a config that cannot work at creation", async () => {
    for (const adapterConfig of [{}, { url: "ftp://example.com/x" }, { url: "https://example.com", method: "DELETE" }, { url: "https://example.com", headers: { a: 1 } }]) {
      const res = await t.api.post(`/api/companies/${companyId}/agents`, { name: "bad", role: "engineer", adapterType: "http", adapterConfig });
      expect(res.status, JSON.stringify(adapterConfig)).toBe(422);
    }
  });
});
