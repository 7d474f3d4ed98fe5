/** `cursor` through the real engine, with tests/fixtures/fake-cursor-agent.mjs standing in for the Cursor Agent CLI. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logText } from "../helpers/api-client.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";

const fakeCursor = path.resolve("tests/fixtures/fake-cursor-agent.mjs");
const workspace = os.tmpdir();
let t: TestRuntime;
let companyId: string;

beforeAll(async () => {
  fs.chmodSync(fakeCursor, 0o755);
  t = await startTestRuntime();
  companyId = (await t.api.createCompany("Cursor Inc")).id;
});
afterAll(async () => t?.stop());

const cursorAgent = (name: string, extra: Record<string, unknown> = {}) =>
  t.api.createAgent(companyId, { name, adapterType: "cursor", adapterConfig: { command: fakeCursor, cwd: workspace, ...extra } });

const runOnce = async (agentId: string) => t.api.waitForRun((await t.api.wake(agentId, { source: "on_demand", triggerDetail: "manual", reason: "test" })).id);
const costsOf = (runId: string) => t.runtime.db.selectFrom("cost_events").selectAll().where("heartbeatRunId", "=", runId).execute();

describe("cursor", () => {
  it("runs agent -p with stream-json, records subscription usage, and resumes the chat next time", async () => {
    const agent = await cursorAgent("cursy", { model: "sonnet-4.5", mode: "plan", promptTemplate: "Hi {{agent.name}}, run {{runId}}" });
    const first = await runOnce(agent.id);
    expect(first).toMatchObject({ status: "succeeded", exitCode: 0, errorCode: null, sessionIdBefore: null });
    const sessionId = first.sessionIdAfter as string;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.resultJson.summary).toBe(`Done in chat ${sessionId}. PAPERCLIP_API_KEY present: yes`);
    expect(first.resultJson.toolErrors).toEqual([{ tool: "shell", error: '{"command":"false","exitCode":1,"stderr":""}' }]);

    const stderr1 = logText((await t.api.runLog(first.id)).content, "stderr");
    expect(stderr1).toContain(`fake-cursor argv: ["-p","--output-format","stream-json","--workspace","${workspace}","--model","sonnet-4.5","--mode","plan","--yolo"]`);
    expect(stderr1).toContain(`fake-cursor stdin: Hi cursy, run ${first.id}`);

    // Subscription billing: tokens are recorded, the cost is included in the plan.
    expect(await costsOf(first.id)).toEqual([
      expect.objectContaining({ provider: "cursor", biller: "cursor", model: "sonnet-4.5", billingType: "subscription_included", inputTokens: 1200, outputTokens: 340, cachedInputTokens: 5000, costCents: 0 }),
    ]);

    const second = await runOnce(agent.id);
    expect(second).toMatchObject({ status: "succeeded", sessionIdBefore: sessionId, sessionIdAfter: sessionId });
    expect(logText((await t.api.runLog(second.id)).content, "stderr")).toContain(`"--workspace","${workspace}","--resume","${sessionId}","--model"`);
    const sessions = (await t.api.get(`/api/agents/${agent.id}/task-sessions`)).body as Array<Record<string, unknown>>;
    expect(sessions).toEqual([expect.objectContaining({ adapterType: "cursor", sessionDisplayId: sessionId, lastRunId: second.id })]);
  });

  it("bills API use when the agent has its own CURSOR_API_KEY, and keeps --trust instead of adding --yolo", async () => {
    const agent = await cursorAgent("keyed", { env: { CURSOR_API_KEY: "key_test_123" }, extraArgs: ["--trust"] });
    const run = await runOnce(agent.id);
    expect(run.status).toBe("succeeded");
    expect(await costsOf(run.id)).toEqual([expect.objectContaining({ billingType: "metered_api", model: "Auto", costCents: 3 })]);
    const stderr = logText((await t.api.runLog(run.id)).content, "stderr");
    expect(stderr).toContain(`"--workspace","${workspace}","--trust"]`);
    expect(stderr).not.toContain("--yolo");
  });

  it("retries a chat Cursor no longer has with a fresh one", async () => {
    const agent = await cursorAgent("forgetful", { env: { FAKE_CURSOR_MODE: "unknown-session" } });
    const first = await runOnce(agent.id);
    expect(first.status).toBe("succeeded");
    const second = await runOnce(agent.id);
    expect(second).toMatchObject({ status: "succeeded", sessionIdBefore: first.sessionIdAfter });
    expect(second.sessionIdAfter).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.sessionIdAfter).not.toBe(first.sessionIdAfter);
    const stderr = logText((await t.api.runLog(second.id)).content, "stderr");
    expect(stderr).toContain(`Error: Session "${first.sessionIdAfter}" not found`);
    expect(stderr).toContain("retrying with a fresh chat");
  });

  it("maps a missing login to auth_required", async () => {
    const agent = await cursorAgent("loggedout", { env: { FAKE_CURSOR_MODE: "auth" } });
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "failed", errorCode: "auth_required", exitCode: 1 });
    expect(run.error).toContain("Authentication required");
    expect(run.error).toContain("CURSOR_API_KEY");
  });

  it("maps a usage limit to provider_quota with the reset time on the run", async () => {
    const agent = await cursorAgent("broke", { env: { FAKE_CURSOR_MODE: "quota" } });
    const before = Date.now();
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "failed", errorCode: "provider_quota" });
    expect(run.resultJson.errorFamily).toBe("provider_quota");
    const retryAt = Date.parse(run.resultJson.retryNotBefore);
    expect(retryAt).toBeGreaterThanOrEqual(before + 2 * 3600_000 - 1000);
    expect(retryAt).toBeLessThanOrEqual(Date.now() + 2 * 3600_000 + 1000);
  });

  it("maps an errored result to adapter_failed with its message", async () => {
    const agent = await cursorAgent("crashy", { env: { FAKE_CURSOR_MODE: "error" } });
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "failed", errorCode: "adapter_failed", exitCode: 1 });
    expect(run.error).toContain("upstream connection reset");
  });

  it("maps a missing CLI to command_not_found", async () => {
    const agent = await cursorAgent("nocli", { command: "definitely-not-cursor-agent-xyz" });
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "failed", errorCode: "command_not_found", exitCode: null });
    expect(run.error).toContain("definitely-not-cursor-agent-xyz");
  });

  it("rejects an invalid config at creation", async () => {
    const create = (adapterConfig: Record<string, unknown>) => t.api.post(`/api/companies/${companyId}/agents`, { name: "bad", role: "engineer", adapterType: "cursor", adapterConfig });
    const badMode = await create({ mode: "yolo" });
    expect(badMode.status).toBe(422);
    expect(JSON.stringify(badMode.body)).toContain('mode must be \\"plan\\" or \\"ask\\"');
    const stringArgs = await create({ extraArgs: "--trust" });
    expect(stringArgs.status).toBe(422);
    expect(JSON.stringify(stringArgs.body)).toContain("extraArgs must be an array of strings");
  });
});
