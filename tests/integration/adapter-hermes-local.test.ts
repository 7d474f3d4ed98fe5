/** `hermes_local` through the real engine, with tests/fixtures/fake-hermes.mjs standing in for the Hermes Agent CLI. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logText } from "../helpers/api-client.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";

const fakeHermes = path.resolve("tests/fixtures/fake-hermes.mjs");
let t: TestRuntime;
let companyId: string;

beforeAll(async () => {
  fs.chmodSync(fakeHermes, 0o755);
  t = await startTestRuntime();
  companyId = (await t.api.createCompany("Hermes Inc")).id;
});
afterAll(async () => t?.stop());

const hermesAgent = (name: string, extra: Record<string, unknown> = {}) =>
  t.api.createAgent(companyId, { name, adapterType: "hermes_local", adapterConfig: { hermesCommand: fakeHermes, cwd: os.tmpdir(), ...extra } });

const runOnce = async (agentId: string) => t.api.waitForRun((await t.api.wake(agentId, { source: "on_demand", triggerDetail: "manual", reason: "test" })).id);
const stderrOf = async (runId: string) => logText((await t.api.runLog(runId)).content, "stderr");
const costsOf = (runId: string) => t.runtime.db.selectFrom("cost_events").selectAll().where("heartbeatRunId", "=", runId).execute();

describe("hermes_local", () => {
  it("runs hermes chat -q, records tokens and cost, and resumes the session next time", async () => {
    const agent = await hermesAgent("hermy", {
      model: "anthropic/claude-sonnet-4",
      provider: "openrouter",
      toolsets: ["web", "terminal"],
      maxTurns: 5,
      promptTemplate: "Hello {{agentName}} ({{wakeReason}})",
    });
    const first = await runOnce(agent.id);
    expect(first).toMatchObject({ status: "succeeded", exitCode: 0, errorCode: null, sessionIdBefore: null });
    const sessionId = first.sessionIdAfter as string;
    expect(sessionId).toMatch(/^\d{8}_\d{6}_[0-9a-f]{6}$/);
    // The summary is the reply without Hermes' metadata lines.
    // The prompt is the rendered template followed by the list of skills mounted for the run.
    expect(first.resultJson.summary).toMatch(/^Done\. Resumed: no\. PAPERCLIP_API_KEY present: yes\.\nQuery: Hello hermy \(test\)\n/);
    expect(first.resultJson.summary).toContain("switchboard/SKILL.md");
    const argv = /fake-hermes argv: (\[.*\])/.exec(await stderrOf(first.id))?.[1];
    const args = JSON.parse(argv ?? "[]") as string[];
    expect(args.slice(0, 2)).toEqual(["chat", "-q"]);
    expect(args[2]).toMatch(/^Hello hermy \(test\)\n/);
    expect(args.slice(3)).toEqual(["-Q", "-m", "anthropic/claude-sonnet-4", "--provider", "openrouter", "-t", "web,terminal", "--max-turns", "5", "--source", "tool", "--yolo"]);
    expect(await costsOf(first.id)).toEqual([expect.objectContaining({ provider: "openrouter", model: "anthropic/claude-sonnet-4", inputTokens: 1200, outputTokens: 340, costCents: 3 })]);

    const second = await runOnce(agent.id);
    expect(second).toMatchObject({ status: "succeeded", sessionIdBefore: sessionId, sessionIdAfter: sessionId });
    expect(second.resultJson.summary).toContain("Resumed: yes");
    expect(await stderrOf(second.id)).toContain(`"--source","tool","--yolo","--resume","${sessionId}"]`);
  });

  it("reads the legacy session line, bills to provider hermes by default, and never resumes with persistSession off", async () => {
    const agent = await hermesAgent("oldtimer", { persistSession: false, env: { FAKE_HERMES_MODE: "legacy" } });
    const first = await runOnce(agent.id);
    expect(first).toMatchObject({ status: "succeeded", sessionIdAfter: null });
    expect(first.resultJson.sessionId).toMatch(/^\d{8}_\d{6}_[0-9a-f]{6}$/);
    expect(await costsOf(first.id)).toEqual([expect.objectContaining({ provider: "hermes", inputTokens: 1200, outputTokens: 340 })]);
    const second = await runOnce(agent.id);
    expect(second.status).toBe("succeeded");
    expect(await stderrOf(second.id)).not.toContain("--resume");
  });

  it("retries once with a new session when Hermes no longer knows the stored one", async () => {
    const agent = await hermesAgent("amnesiac", { env: { FAKE_HERMES_MODE: "unknown-session" } });
    const first = await runOnce(agent.id);
    expect(first.status).toBe("succeeded");
    const second = await runOnce(agent.id);
    expect(second).toMatchObject({ status: "succeeded", sessionIdBefore: first.sessionIdAfter });
    expect(second.sessionIdAfter).not.toBe(first.sessionIdAfter);
    const stderr = await stderrOf(second.id);
    expect(stderr).toContain(`Session not found: ${first.sessionIdAfter}`);
    expect(stderr).toContain("retrying once with a new session");
  });

  it("maps missing credentials to auth_required", async () => {
    const agent = await hermesAgent("keyless", { env: { FAKE_HERMES_MODE: "auth" } });
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "failed", errorCode: "auth_required", exitCode: 1 });
    expect(run.error).toContain("No auth credentials found");
  });

  it("maps a rate limit to provider_quota with the reset time", async () => {
    const agent = await hermesAgent("broke", { env: { FAKE_HERMES_MODE: "quota" } });
    const before = Date.now();
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "failed", errorCode: "provider_quota" });
    expect(run.error).toContain("Rate limit exceeded");
    const retryAt = Date.parse(run.resultJson.retryNotBefore);
    expect(retryAt).toBeGreaterThanOrEqual(before + 2 * 3600_000 - 1000);
    expect(retryAt).toBeLessThanOrEqual(Date.now() + 2 * 3600_000 + 1000);
  });

  it("maps a crash to adapter_failed with the error line", async () => {
    const agent = await hermesAgent("crashy", { env: { FAKE_HERMES_MODE: "error" } });
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "failed", errorCode: "adapter_failed", exitCode: 1 });
    expect(run.error).toContain("RuntimeError: tool loop exploded");
  });

  it("maps a missing CLI to command_not_found", async () => {
    const agent = await hermesAgent("nocli", { hermesCommand: "definitely-not-hermes-xyz" });
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "failed", errorCode: "command_not_found", exitCode: null });
    expect(run.error).toContain("definitely-not-hermes-xyz");
  });

  it("rejects an invalid config at creation", async () => {
    const create = (adapterConfig: Record<string, unknown>) => t.api.post(`/api/companies/${companyId}/agents`, { name: "bad", role: "engineer", adapterType: "hermes_local", adapterConfig });
    const stringArgs = await create({ extraArgs: "--checkpoints" });
    expect(stringArgs.status).toBe(422);
    expect(stringArgs.body.error).toContain("extraArgs must be an array of strings");
    expect((await create({ maxTurns: 0 })).status).toBe(422);
    expect((await create({ toolsets: "web; rm -rf /" })).status).toBe(422);
  });
});
