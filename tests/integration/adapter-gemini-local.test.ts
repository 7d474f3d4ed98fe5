/** `gemini_local` through the real engine, with tests/fixtures/fake-gemini.mjs standing in for the Gemini CLI. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logText } from "../helpers/api-client.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";

const fakeGemini = path.resolve("tests/fixtures/fake-gemini.mjs");
let t: TestRuntime;
let companyId: string;

beforeAll(async () => {
  fs.chmodSync(fakeGemini, 0o755);
  t = await startTestRuntime();
  companyId = (await t.api.createCompany("Gemini Inc")).id;
});
afterAll(async () => t?.stop());

const createGeminiAgent = (name: string, extra: Record<string, unknown> = {}) =>
  t.api.createAgent(companyId, { name, adapterType: "gemini_local", adapterConfig: { command: fakeGemini, cwd: os.tmpdir(), ...extra } });

const runOnce = async (agentId: string) => t.api.waitForRun((await t.api.wake(agentId, { source: "on_demand", triggerDetail: "manual", reason: "test" })).id);
const costsOf = (agentId: string) => t.runtime.db.selectFrom("cost_events").selectAll().where("agentId", "=", agentId).execute();

describe("gemini_local", () => {
  it("runs headless, records tokens and session, and resumes that session next time", async () => {
    const agent = await createGeminiAgent("gemma", { model: "gemini-test-model", env: { GEMINI_API_KEY: "test-key-not-real" } });
    const first = await runOnce(agent.id);
    expect(first).toMatchObject({ status: "succeeded", exitCode: 0, errorCode: null, sessionIdBefore: null });
    const sessionId = first.sessionIdAfter as string;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.resultJson.summary).toBe(`Started session ${sessionId}. PAPERCLIP_API_KEY present: yes.`);

    const log1 = (await t.api.runLog(first.id)).content;
    const stderr1 = logText(log1, "stderr");
    expect(stderr1).toContain('"--output-format","stream-json","--model","gemini-test-model","--approval-mode","yolo","--sandbox=none","--prompt","You are gemma');
    expect(stderr1).not.toContain("--resume");
    expect(stderr1).toContain("TERM=dumb NO_BROWSER=true PAPERCLIP_API_KEY=present GEMINI_API_KEY=present");
    expect(log1).not.toContain("test-key-not-real");

    const costs = await costsOf(agent.id);
    expect(costs).toHaveLength(1);
    expect(costs[0]).toMatchObject({ heartbeatRunId: first.id, provider: "google", biller: "google", model: "gemini-test-model", billingType: "metered_api", inputTokens: 700, outputTokens: 340, cachedInputTokens: 1500, costCents: 0 });

    const sessions = (await t.api.get(`/api/agents/${agent.id}/task-sessions`)).body as Array<Record<string, unknown>>;
    expect(sessions).toEqual([expect.objectContaining({ adapterType: "gemini_local", sessionDisplayId: sessionId, lastRunId: first.id })]);

    const second = await runOnce(agent.id);
    expect(second).toMatchObject({ status: "succeeded", sessionIdBefore: sessionId, sessionIdAfter: sessionId });
    expect(second.resultJson.summary).toContain(`Resumed session ${sessionId}`);
    expect(logText((await t.api.runLog(second.id)).content, "stderr")).toContain(`"--resume","${sessionId}"`);
  });

  it("retries a session the CLI no longer knows with a fresh one", async () => {
    const agent = await createGeminiAgent("stale", { sandbox: true, env: { FAKE_GEMINI_MODE: "unknown-session" } });
    const first = await runOnce(agent.id);
    expect(first.status).toBe("succeeded");
    const second = await runOnce(agent.id);
    expect(second).toMatchObject({ status: "succeeded", sessionIdBefore: first.sessionIdAfter });
    expect(second.sessionIdAfter).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.sessionIdAfter).not.toBe(first.sessionIdAfter);
    const stderr = logText((await t.api.runLog(second.id)).content, "stderr");
    expect(stderr).toContain(`Invalid session identifier "${first.sessionIdAfter}"`);
    expect(stderr).toContain("retrying with a fresh session");
    expect(stderr).toContain('"--sandbox","--prompt"');
    // Without an API key in env the run is on the CLI's own login: billed as a subscription.
    const costs = await costsOf(agent.id);
    expect(costs.map((c) => c.billingType)).toEqual(["subscription_included", "subscription_included"]);
  });

  it("maps missing credentials to auth_required", async () => {
    const agent = await createGeminiAgent("loggedout", { env: { FAKE_GEMINI_MODE: "auth" } });
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "failed", errorCode: "auth_required", exitCode: 41 });
    expect(run.error).toContain("Please set an Auth method");
    expect(run.error).toContain("GEMINI_API_KEY");
  });

  it("maps an exhausted quota to provider_quota with the time it resets", async () => {
    const agent = await createGeminiAgent("throttled", { env: { FAKE_GEMINI_MODE: "quota" } });
    const before = Date.now();
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "failed", errorCode: "provider_quota", exitCode: 1 });
    expect(run.error).toContain("Your quota will reset after 1h2m3s");
    expect(run.resultJson.errorFamily).toBe("provider_quota");
    const retryAt = Date.parse(run.resultJson.retryNotBefore as string);
    expect(retryAt).toBeGreaterThanOrEqual(before + 3723_000);
    expect(retryAt).toBeLessThanOrEqual(Date.now() + 3723_000);
    expect(run.error).toContain(run.resultJson.retryNotBefore);
  });

  it("maps a reported error to adapter_failed with its message", async () => {
    const agent = await createGeminiAgent("broken", { env: { FAKE_GEMINI_MODE: "error" } });
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "failed", errorCode: "adapter_failed", exitCode: 1 });
    expect(run.error).toContain("Model stream ended with an invalid chunk");
  });

  it("stops a run that outlives timeoutSec and reports timeout", async () => {
    const agent = await createGeminiAgent("slow", { timeoutSec: 1, graceSec: 1, env: { FAKE_GEMINI_MODE: "hang" } });
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "timed_out", errorCode: "timeout" });
    expect(run.error).toContain("timed out after 1s");
    expect(logText((await t.api.runLog(run.id)).content, "stdout")).toContain("Thinking very hard");
  });

  it("maps a missing CLI to command_not_found", async () => {
    const agent = await createGeminiAgent("nocli", { command: "definitely-not-gemini-xyz" });
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "failed", errorCode: "command_not_found", exitCode: null });
    expect(run.error).toContain("definitely-not-gemini-xyz");
    expect(run.error).toContain("@google/gemini-cli");
  });

  it("rejects an invalid config at creation", async () => {
    const res = await t.api.post(`/api/companies/${companyId}/agents`, { name: "bad", role: "engineer", adapterType: "gemini_local", adapterConfig: { extraArgs: "--yolo --debug" } });
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body)).toContain("extraArgs must be an array of strings");
  });
});
