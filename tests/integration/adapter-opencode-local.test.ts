/** `opencode_local` through the real engine, with tests/fixtures/fake-opencode.mjs standing in for OpenCode. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logText } from "../helpers/api-client.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";

const fakeOpencode = path.resolve("tests/fixtures/fake-opencode.mjs");
let t: TestRuntime;
let companyId: string;

beforeAll(async () => {
  fs.chmodSync(fakeOpencode, 0o755);
  t = await startTestRuntime();
  companyId = (await t.api.createCompany("OpenCode Inc")).id;
});
afterAll(async () => t?.stop());

const opencodeAgent = (name: string, extra: Record<string, unknown> = {}) =>
  t.api.createAgent(companyId, { name, adapterType: "opencode_local", adapterConfig: { command: fakeOpencode, cwd: os.tmpdir(), model: "anthropic/claude-sonnet-4-5", ...extra } });

const runOnce = async (agentId: string) => t.api.waitForRun((await t.api.wake(agentId, { source: "on_demand", triggerDetail: "manual", reason: "test" })).id);

describe("opencode_local", () => {
  it("runs opencode run --format json, records tokens and cost, and resumes the session next time", async () => {
    const agent = await opencodeAgent("opie", { variant: "high", promptTemplate: "Hello {{agent.name}}, run {{runId}}" });
    const first = await runOnce(agent.id);
    expect(first).toMatchObject({ status: "succeeded", exitCode: 0, errorCode: null, sessionIdBefore: null });
    const sessionId = first.sessionIdAfter as string;
    expect(sessionId).toMatch(/^ses_[0-9a-f]{24}$/);
    expect(first.resultJson.summary).toBe(`Done in session ${sessionId}. PAPERCLIP_API_KEY present: yes`);
    expect(first.resultJson.toolErrors).toEqual([{ tool: "read", error: "File not found: /nope.txt" }]);

    const stderr1 = logText((await t.api.runLog(first.id)).content, "stderr");
    expect(stderr1).toContain('fake-opencode argv: ["run","--format","json","--model","anthropic/claude-sonnet-4-5","--variant","high"]');
    expect(stderr1).toContain(`fake-opencode stdin: Hello opie, run ${first.id}`);
    expect(stderr1).toContain("OPENCODE_DISABLE_PROJECT_CONFIG=true");
    expect(stderr1).toContain('OPENCODE_CONFIG_CONTENT={"permission":{"*":"allow","external_directory":"allow"}}');

    const costs = await t.runtime.db.selectFrom("cost_events").selectAll().where("heartbeatRunId", "=", first.id).execute();
    expect(costs).toEqual([
      expect.objectContaining({ provider: "anthropic", biller: "anthropic", model: "anthropic/claude-sonnet-4-5", billingType: "metered_api", inputTokens: 1200, outputTokens: 340, cachedInputTokens: 5000, costCents: 3 }),
    ]);

    const second = await runOnce(agent.id);
    expect(second).toMatchObject({ status: "succeeded", sessionIdBefore: sessionId, sessionIdAfter: sessionId });
    expect(logText((await t.api.runLog(second.id)).content, "stderr")).toContain(`fake-opencode argv: ["run","--format","json","--session","${sessionId}","--model"`);
    const sessions = (await t.api.get(`/api/agents/${agent.id}/task-sessions`)).body as Array<Record<string, unknown>>;
    expect(sessions).toEqual([expect.objectContaining({ adapterType: "opencode_local", sessionDisplayId: sessionId, lastRunId: second.id })]);
  });

  it("retries a session OpenCode no longer has with a fresh one", async () => {
    const agent = await opencodeAgent("forgetful", { env: { FAKE_OPENCODE_MODE: "unknown-session" } });
    const first = await runOnce(agent.id);
    expect(first.status).toBe("succeeded");
    const second = await runOnce(agent.id);
    expect(second).toMatchObject({ status: "succeeded", sessionIdBefore: first.sessionIdAfter });
    expect(second.sessionIdAfter).toMatch(/^ses_/);
    expect(second.sessionIdAfter).not.toBe(first.sessionIdAfter);
    const stderr = logText((await t.api.runLog(second.id)).content, "stderr");
    expect(stderr).toContain("Error: Session not found");
    expect(stderr).toContain(`OpenCode session ${first.sessionIdAfter} no longer exists; retrying with a fresh session`);
  });

  it("maps a provider auth error to auth_required", async () => {
    const agent = await opencodeAgent("loggedout", { env: { FAKE_OPENCODE_MODE: "auth" } });
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "failed", errorCode: "auth_required", exitCode: 1 });
    expect(run.error).toContain("Invalid API key for provider anthropic");
    expect(run.error).toContain("opencode auth login");
  });

  it("maps a rate limit to provider_quota with the time to retry on the run", async () => {
    const agent = await opencodeAgent("broke", { env: { FAKE_OPENCODE_MODE: "quota" } });
    const before = Date.now();
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "failed", errorCode: "provider_quota" });
    expect(run.resultJson.errorFamily).toBe("provider_quota");
    const retryAt = Date.parse(run.resultJson.retryNotBefore);
    expect(retryAt).toBeGreaterThanOrEqual(before + 90 * 60_000 - 1000);
    expect(retryAt).toBeLessThanOrEqual(Date.now() + 90 * 60_000 + 1000);
  });

  it("maps an error event to adapter_failed, keeping the tokens spent before it", async () => {
    const agent = await opencodeAgent("crashy", { env: { FAKE_OPENCODE_MODE: "error" } });
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "failed", errorCode: "adapter_failed", exitCode: 1 });
    expect(run.error).toContain("upstream connection reset");
    const costs = await t.runtime.db.selectFrom("cost_events").selectAll().where("heartbeatRunId", "=", run.id).execute();
    expect(costs).toEqual([expect.objectContaining({ inputTokens: 1000, outputTokens: 120, cachedInputTokens: 3000, costCents: 1 })]);
  });

  it("maps a missing CLI to command_not_found", async () => {
    const agent = await opencodeAgent("nocli", { command: "definitely-not-opencode-xyz" });
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "failed", errorCode: "command_not_found", exitCode: null });
    expect(run.error).toContain("definitely-not-opencode-xyz");
  });

  it("rejects a config without a provider/model at creation", async () => {
    const create = (adapterConfig: Record<string, unknown>) => t.api.post(`/api/companies/${companyId}/agents`, { name: "bad", role: "engineer", adapterType: "opencode_local", adapterConfig });
    const missing = await create({ cwd: os.tmpdir() });
    expect(missing.status).toBe(422);
    expect(JSON.stringify(missing.body)).toContain("model is required");
    const bare = await create({ model: "claude-sonnet" });
    expect(bare.status).toBe(422);
    expect(JSON.stringify(bare.body)).toContain("provider/model");
    const stringArgs = await create({ model: "openai/gpt-5", extraArgs: "--agent build" });
    expect(stringArgs.status).toBe(422);
    expect(JSON.stringify(stringArgs.body)).toContain("extraArgs must be an array of strings");
  });
});
