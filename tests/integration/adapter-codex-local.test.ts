/** The `codex_local` adapter through the real engine, with a fake Codex CLI (tests/fixtures/fake-codex.mjs). */
import os from "node:os";
import { describe, expect, it } from "vitest";
import { codexLocalAdapter } from "../../adapters/codex-local/index.js";
import { describeFailureModes, useAdapterEngine } from "../helpers/adapter-engine.js";

const engine = useAdapterEngine("Codex Inc", "tests/fixtures/fake-codex.mjs", { wake: {} });
const { fakeCli: fakeCodex, runOnce, textOf } = engine;

const codexAgent = (name: string, config: Record<string, unknown> = {}) =>
  engine.createAgent(name, "codex_local", { command: fakeCodex, cwd: os.tmpdir(), ...config });

describe("a codex_local agent", () => {
  it("runs codex exec --json, records tokens and the thread, and resumes the thread next time", async () => {
    const agent = await codexAgent("coder", { model: "gpt-5-codex", promptTemplate: "Hello {{agent.name}}, run {{runId}} ({{wakeReason}})" });
    const first = await runOnce(agent.id, { reason: "ping" });
    expect(first).toMatchObject({ status: "succeeded", exitCode: 0, sessionIdBefore: null });
    const threadId = first.sessionIdAfter as string;
    expect(threadId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.usageJson).toEqual({ inputTokens: 900, cachedInputTokens: 300, outputTokens: 80 });
    expect(first.resultJson.summary).toContain(`Started thread ${threadId} with model gpt-5-codex; key present`);
    const log1 = await textOf(first.id);
    expect(log1).toContain('fake-codex argv: ["exec","--json","-m","gpt-5-codex"');
    expect(log1).toContain(`Hello coder, run ${first.id}`);
    expect(log1).toContain("PAPERCLIP_API_KEY=present");

    expect(await engine.costsOf(first.id)).toEqual([expect.objectContaining({ provider: "openai", biller: "openai", model: "gpt-5-codex", inputTokens: 900, outputTokens: 80, cachedInputTokens: 300 })]);

    const second = await runOnce(agent.id);
    expect(second).toMatchObject({ status: "succeeded", sessionIdBefore: threadId, sessionIdAfter: threadId });
    expect(await textOf(second.id)).toMatch(new RegExp(`fake-codex argv: \\["exec","--json".*"resume","${threadId}","-"\\]`));
    expect(second.resultJson.summary).toContain(`Resumed thread ${threadId}`);

    expect(await engine.sessionsOf(agent.id)).toEqual([expect.objectContaining({ adapterType: "codex_local", sessionDisplayId: threadId, lastRunId: second.id })]);
  });

  it("retries once with a new thread when Codex no longer knows the stored one", async () => {
    const agent = await codexAgent("amnesiac");
    const first = await runOnce(agent.id);
    expect(first.status).toBe("succeeded");
    const res = await engine.t.api.patch(`/api/agents/${agent.id}`, { adapterConfig: { command: fakeCodex, cwd: os.tmpdir(), env: { FAKE_CODEX_MODE: "unknown-thread" } } });
    expect(res.status).toBe(200);
    const second = await runOnce(agent.id);
    expect(second).toMatchObject({ status: "succeeded", sessionIdBefore: first.sessionIdAfter });
    expect(second.sessionIdAfter).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.sessionIdAfter).not.toBe(first.sessionIdAfter);
    const log = await textOf(second.id);
    expect(log).toMatch(new RegExp(`fake-codex argv: \\["exec","--json".*"resume","${first.sessionIdAfter}","-"\\]`));
    expect(log).toContain(`no rollout found for thread id ${first.sessionIdAfter}`);
    expect(log).toContain("retrying with a new thread");
    expect(log).toContain('fake-codex argv: ["exec","--json"');
    // The new thread is the one resumed next time.
    expect((await engine.t.api.patch(`/api/agents/${agent.id}`, { adapterConfig: { command: fakeCodex, cwd: os.tmpdir() } })).status).toBe(200);
    const third = await runOnce(agent.id);
    expect(third).toMatchObject({ status: "succeeded", sessionIdBefore: second.sessionIdAfter, sessionIdAfter: second.sessionIdAfter });
  });

  describeFailureModes({
    engine,
    adapterType: "codex_local",
    agent: codexAgent,
    modeEnv: "FAKE_CODEX_MODE",
    error: { mode: "error", messages: ["model overloaded"] },
    auth: { mode: "auth", messages: ["Not logged in"] },
    quota: { mode: "quota", retryAfterMs: 2 * 3600_000 },
    missingCli: { config: { command: "definitely-not-codex-xyz" }, messages: ["definitely-not-codex-xyz"] },
    badConfigs: [{ config: { cwd: "not/absolute" } }],
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
