/** The `codex_local` adapter through the real engine, with a fake Codex CLI (tests/fixtures/fake-codex.mjs). */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codexLocalAdapter } from "../../adapters/codex-local/index.js";
import { logText } from "../helpers/api-client.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";

const fakeCodex = path.resolve("tests/fixtures/fake-codex.mjs");
let t: TestRuntime;
let companyId: string;

beforeAll(async () => {
  fs.chmodSync(fakeCodex, 0o755);
  t = await startTestRuntime();
  companyId = (await t.api.createCompany("Codex Inc")).id;
});
afterAll(async () => t?.stop());

const codexAgent = (name: string, config: Record<string, unknown> = {}) =>
  t.api.createAgent(companyId, { name, adapterType: "codex_local", adapterConfig: { command: fakeCodex, cwd: os.tmpdir(), ...config } });

describe("a codex_local agent", () => {
  it("runs codex exec --json, records tokens and the thread, and resumes the thread next time", async () => {
    const agent = await codexAgent("coder", { model: "gpt-5-codex", promptTemplate: "Hello {{agent.name}}, run {{runId}} ({{wakeReason}})" });
    const first = await t.api.waitForRun((await t.api.wake(agent.id, { reason: "ping" })).id);
    expect(first).toMatchObject({ status: "succeeded", exitCode: 0, sessionIdBefore: null });
    const threadId = first.sessionIdAfter as string;
    expect(threadId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.usageJson).toEqual({ inputTokens: 900, cachedInputTokens: 300, outputTokens: 80 });
    expect(first.resultJson.summary).toContain(`Started thread ${threadId} with model gpt-5-codex; key present`);
    const log1 = logText((await t.api.runLog(first.id)).content);
    expect(log1).toContain('fake-codex argv: ["exec","--json","-m","gpt-5-codex"');
    expect(log1).toContain(`Hello coder, run ${first.id}`);
    expect(log1).toContain("PAPERCLIP_API_KEY=present");

    const ledger = await t.runtime.db.selectFrom("cost_events").selectAll().where("heartbeatRunId", "=", first.id).execute();
    expect(ledger).toEqual([expect.objectContaining({ provider: "openai", biller: "openai", model: "gpt-5-codex", inputTokens: 900, outputTokens: 80, cachedInputTokens: 300 })]);

    const second = await t.api.waitForRun((await t.api.wake(agent.id)).id);
    expect(second).toMatchObject({ status: "succeeded", sessionIdBefore: threadId, sessionIdAfter: threadId });
    const log2 = logText((await t.api.runLog(second.id)).content);
    expect(log2).toMatch(new RegExp(`fake-codex argv: \\["exec","--json".*"resume","${threadId}","-"\\]`));
    expect(second.resultJson.summary).toContain(`Resumed thread ${threadId}`);

    const sessions = (await t.api.get(`/api/agents/${agent.id}/task-sessions`)).body as Array<Record<string, unknown>>;
    expect(sessions).toEqual([expect.objectContaining({ adapterType: "codex_local", sessionDisplayId: threadId, lastRunId: second.id })]);
  });

  it("fails with adapter_failed on a failed turn", async () => {
    const agent = await codexAgent("erring", { env: { FAKE_CODEX_MODE: "error" } });
    const run = await t.api.waitForRun((await t.api.wake(agent.id)).id);
    expect(run).toMatchObject({ status: "failed", errorCode: "adapter_failed", exitCode: 1 });
    expect(run.error).toContain("model overloaded");
  });

  it("fails with auth_required when Codex is not logged in", async () => {
    const agent = await codexAgent("loggedout", { env: { FAKE_CODEX_MODE: "auth" } });
    const run = await t.api.waitForRun((await t.api.wake(agent.id)).id);
    expect(run).toMatchObject({ status: "failed", errorCode: "auth_required" });
    expect(run.error).toContain("Not logged in");
  });

  it("fails with provider_quota and a retry time when the usage limit is hit", async () => {
    const agent = await codexAgent("broke", { env: { FAKE_CODEX_MODE: "quota" } });
    const before = Date.now();
    const run = await t.api.waitForRun((await t.api.wake(agent.id)).id);
    expect(run).toMatchObject({ status: "failed", errorCode: "provider_quota", resultJson: { errorFamily: "provider_quota" } });
    const retryAt = Date.parse(run.resultJson.retryNotBefore);
    expect(retryAt).toBeGreaterThanOrEqual(before + 2 * 3600_000 - 1000);
    expect(retryAt).toBeLessThanOrEqual(Date.now() + 2 * 3600_000 + 1000);
  });

  it("retries once with a new thread when Codex no longer knows the stored one", async () => {
    const agent = await codexAgent("amnesiac");
    const first = await t.api.waitForRun((await t.api.wake(agent.id)).id);
    expect(first.status).toBe("succeeded");
    const res = await t.api.patch(`/api/agents/${agent.id}`, { adapterConfig: { command: fakeCodex, cwd: os.tmpdir(), env: { FAKE_CODEX_MODE: "unknown-thread" } } });
    expect(res.status).toBe(200);
    const second = await t.api.waitForRun((await t.api.wake(agent.id)).id);
    expect(second).toMatchObject({ status: "succeeded", sessionIdBefore: first.sessionIdAfter });
    expect(second.sessionIdAfter).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.sessionIdAfter).not.toBe(first.sessionIdAfter);
    const log = logText((await t.api.runLog(second.id)).content);
    expect(log).toMatch(new RegExp(`fake-codex argv: \\["exec","--json".*"resume","${first.sessionIdAfter}","-"\\]`));
    expect(log).toContain(`no rollout found for thread id ${first.sessionIdAfter}`);
    expect(log).toContain("retrying with a new thread");
    expect(log).toContain('fake-codex argv: ["exec","--json"');
    // The new thread is the one resumed next time.
    expect((await t.api.patch(`/api/agents/${agent.id}`, { adapterConfig: { command: fakeCodex, cwd: os.tmpdir() } })).status).toBe(200);
    const third = await t.api.waitForRun((await t.api.wake(agent.id)).id);
    expect(third).toMatchObject({ status: "succeeded", sessionIdBefore: second.sessionIdAfter, sessionIdAfter: second.sessionIdAfter });
  });

  it("fails with command_not_found when the CLI is missing", async () => {
    const agent = await codexAgent("nocli", { command: "definitely-not-codex-xyz" });
    const run = await t.api.waitForRun((await t.api.wake(agent.id)).id);
    expect(run).toMatchObject({ status: "failed", errorCode: "command_not_found", exitCode: null });
  });

  it("rejects a bad config at creation (422)", async () => {
    const res = await t.api.post(`/api/companies/${companyId}/agents`, { name: "bad", role: "engineer", adapterType: "codex_local", adapterConfig: { cwd: "not/absolute" } });
    expect(res.status).toBe(422);
  });
});

describe("codex_local testEnvironment", () => {
  const test = (config: Record<string, unknown>) => codexLocalAdapter.module.testEnvironment({ companyId: "c", adapterType: "codex_local", config });
  it("passes with a resolvable command and an existing cwd", async () => {
    const r = await test({ command: fakeCodex, cwd: os.tmpdir() });
    expect(r.status).toBe("pass");
    expect(r.checks.map((c) => c.code)).toEqual(["codex_cwd_valid", "codex_command_resolvable"]);
  });
  it("fails with a code and a hint for a missing command or a bad cwd", async () => {
    const r = await test({ command: "definitely-not-codex-xyz", cwd: "/definitely/not/here" });
    expect(r.status).toBe("fail");
    expect(r.checks.find((c) => c.code === "codex_command_unresolvable")?.hint).toContain("@openai/codex");
    expect(r.checks.find((c) => c.code === "codex_cwd_invalid")?.hint).toBeTruthy();
  });
});
