/** `claude_local` through the real engine, with tests/fixtures/fake-claude.mjs standing in for Claude Code. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logText } from "../helpers/api-client.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";

const fakeClaude = path.resolve("tests/fixtures/fake-claude.mjs");
let t: TestRuntime;
let companyId: string;

beforeAll(async () => {
  fs.chmodSync(fakeClaude, 0o755);
  t = await startTestRuntime();
  companyId = (await t.api.createCompany("Claude Inc")).id;
});
afterAll(async () => t?.stop());

const createClaudeAgent = (name: string, extra: Record<string, unknown> = {}) =>
  t.api.createAgent(companyId, { name, adapterType: "claude_local", adapterConfig: { command: fakeClaude, cwd: os.tmpdir(), ...extra } });

const runOnce = async (agentId: string) => t.api.waitForRun((await t.api.wake(agentId, { source: "on_demand", triggerDetail: "manual", reason: "test" })).id);

describe("claude_local", () => {
  it("runs, reports tokens, cost and session, and resumes that session next time", async () => {
    const agent = await createClaudeAgent("claudia", { model: "claude-test-model" });
    const first = await runOnce(agent.id);
    expect(first).toMatchObject({ status: "succeeded", exitCode: 0, errorCode: null, sessionIdBefore: null });
    expect(typeof first.sessionIdAfter).toBe("string");
    const sessionId = first.sessionIdAfter as string;

    const log1 = (await t.api.runLog(first.id)).content;
    const stdout1 = logText(log1, "stdout");
    expect(stdout1).toContain('"type":"result"');
    expect(stdout1).toContain("PAPERCLIP_API_KEY present: yes");
    // The prompt arrives on stdin, not in argv.
    expect(stdout1).toContain("You are claudia");
    const stderr1 = logText(log1, "stderr");
    expect(stderr1).toContain('fake-claude argv: ["--print","-","--output-format","stream-json","--verbose"');
    expect(stderr1).not.toMatch(/fake-claude argv: .*You are claudia/);
    expect(stderr1).toContain('"--model","claude-test-model"');
    expect(stderr1).not.toContain("--resume");

    const costs = await t.runtime.db.selectFrom("cost_events").selectAll().where("agentId", "=", agent.id).execute();
    expect(costs).toHaveLength(1);
    expect(costs[0]).toMatchObject({ heartbeatRunId: first.id, provider: "anthropic", biller: "anthropic", model: "claude-test-model", billingType: "metered_api", inputTokens: 1200, outputTokens: 340, cachedInputTokens: 5000, costCents: 3 });

    const sessions = (await t.api.get(`/api/agents/${agent.id}/task-sessions`)).body as any[];
    expect(sessions).toEqual([expect.objectContaining({ adapterType: "claude_local", sessionDisplayId: sessionId, lastRunId: first.id })]);

    const second = await runOnce(agent.id);
    expect(second).toMatchObject({ status: "succeeded", sessionIdBefore: sessionId, sessionIdAfter: sessionId });
    expect(logText((await t.api.runLog(second.id)).content, "stderr")).toContain(`"--resume","${sessionId}"`);
  });

  it("retries a stale session with a fresh one", async () => {
    const agent = await createClaudeAgent("stale", { env: { FAKE_CLAUDE_MODE: "unknown-session" } });
    const first = await runOnce(agent.id);
    expect(first.status).toBe("succeeded");
    const second = await runOnce(agent.id);
    expect(second).toMatchObject({ status: "succeeded", sessionIdBefore: first.sessionIdAfter });
    expect(second.sessionIdAfter).not.toBe(first.sessionIdAfter);
    const log = (await t.api.runLog(second.id)).content;
    expect(logText(log, "stderr")).toContain("No conversation found with session ID");
    expect(logText(log, "stderr")).toContain("retrying with a fresh session");
  });

  it("maps a reported error to adapter_failed with its message", async () => {
    const agent = await createClaudeAgent("broken", { env: { FAKE_CLAUDE_MODE: "error" } });
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "failed", errorCode: "adapter_failed", exitCode: 1 });
    expect(run.error).toContain("Tool execution exploded");
  });

  it("maps an auth failure to auth_required", async () => {
    const agent = await createClaudeAgent("loggedout", { env: { FAKE_CLAUDE_MODE: "auth" } });
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "failed", errorCode: "auth_required" });
    expect(run.error).toContain("Invalid API key");
  });

  it("sends a prompt larger than one argv element may be on stdin", async () => {
    // Linux caps a single argument at 128 KiB: this prompt would make spawn fail with E2BIG in argv.
    const filler = "x".repeat(300_000);
    const agent = await createClaudeAgent("verbose", { promptTemplate: `You are {{agent.name}}. ${filler}` });
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "succeeded", errorCode: null });
    const expectedLength = "You are verbose. ".length + filler.length;
    expect(logText((await t.api.runLog(run.id)).content, "stderr")).toContain(`fake-claude stdin prompt: ${expectedLength} chars`);
  });

  it("maps a usage limit to provider_quota with the time it resets", async () => {
    const resetEpoch = Math.floor(Date.now() / 1000) + 2 * 3600;
    const agent = await createClaudeAgent("capped", { env: { FAKE_CLAUDE_MODE: "usage-limit", FAKE_CLAUDE_RESET_EPOCH: String(resetEpoch) } });
    const run = await runOnce(agent.id);
    const resetsAt = new Date(resetEpoch * 1000).toISOString();
    expect(run).toMatchObject({ status: "failed", errorCode: "provider_quota", resultJson: { errorFamily: "provider_quota", retryNotBefore: resetsAt } });
    expect(run.error).toContain("usage limit reached");
    expect(run.error).toContain(resetsAt);
  });

  it("maps a missing CLI to command_not_found", async () => {
    const agent = await createClaudeAgent("nocli", { command: "definitely-not-claude-xyz" });
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "failed", errorCode: "command_not_found", exitCode: null });
    expect(run.error).toContain("definitely-not-claude-xyz");
  });

  it("rejects an invalid config at creation", async () => {
    const res = await t.api.post(`/api/companies/${companyId}/agents`, { name: "bad", role: "engineer", adapterType: "claude_local", adapterConfig: { cwd: "relative" } });
    expect(res.status).toBe(422);
  });
});
