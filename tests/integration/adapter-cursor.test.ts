/** `cursor` through the real engine, with tests/fixtures/fake-cursor-agent.mjs standing in for the Cursor Agent CLI. */
import os from "node:os";
import { describe, expect, it } from "vitest";
import { describeFailureModes, useAdapterEngine } from "../helpers/adapter-engine.js";

const workspace = os.tmpdir();
const engine = useAdapterEngine("Cursor Inc", "tests/fixtures/fake-cursor-agent.mjs");
const { runOnce, stderrOf, costsOf } = engine;

const cursorAgent = (name: string, extra: Record<string, unknown> = {}) =>
  engine.createAgent(name, "cursor", { command: engine.fakeCli, cwd: workspace, ...extra });

describe("cursor", () => {
  it("runs agent -p with stream-json, records subscription usage, and resumes the chat next time", async () => {
    const agent = await cursorAgent("cursy", { model: "sonnet-4.5", mode: "plan", promptTemplate: "Hi {{agent.name}}, run {{runId}}" });
    const first = await runOnce(agent.id);
    expect(first).toMatchObject({ status: "succeeded", exitCode: 0, errorCode: null, sessionIdBefore: null });
    const sessionId = first.sessionIdAfter as string;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.resultJson.summary).toBe(`Done in chat ${sessionId}. PAPERCLIP_API_KEY present: yes`);
    expect(first.resultJson.toolErrors).toEqual([{ tool: "shell", error: '{"command":"false","exitCode":1,"stderr":""}' }]);

    const stderr1 = await stderrOf(first.id);
    expect(stderr1).toContain(`fake-cursor argv: ["-p","--output-format","stream-json","--workspace","${workspace}","--model","sonnet-4.5","--mode","plan","--yolo"]`);
    expect(stderr1).toContain(`fake-cursor stdin: Hi cursy, run ${first.id}`);

    // Subscription billing: tokens are recorded, the cost is included in the plan.
    expect(await costsOf(first.id)).toEqual([
      expect.objectContaining({ provider: "cursor", biller: "cursor", model: "sonnet-4.5", billingType: "subscription_included", inputTokens: 1200, outputTokens: 340, cachedInputTokens: 5000, costCents: 0 }),
    ]);

    const second = await runOnce(agent.id);
    expect(second).toMatchObject({ status: "succeeded", sessionIdBefore: sessionId, sessionIdAfter: sessionId });
    expect(await stderrOf(second.id)).toContain(`"--workspace","${workspace}","--resume","${sessionId}","--model"`);
    expect(await engine.sessionsOf(agent.id)).toEqual([expect.objectContaining({ adapterType: "cursor", sessionDisplayId: sessionId, lastRunId: second.id })]);
  });

  it("bills API use when the agent has its own CURSOR_API_KEY, and keeps --trust instead of adding --yolo", async () => {
    const agent = await cursorAgent("keyed", { env: { CURSOR_API_KEY: "key_test_123" }, extraArgs: ["--trust"] });
    const run = await runOnce(agent.id);
    expect(run.status).toBe("succeeded");
    expect(await costsOf(run.id)).toEqual([expect.objectContaining({ billingType: "metered_api", model: "Auto", costCents: 3 })]);
    const stderr = await stderrOf(run.id);
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
    const stderr = await stderrOf(second.id);
    expect(stderr).toContain(`Error: Session "${first.sessionIdAfter}" not found`);
    expect(stderr).toContain("retrying with a fresh chat");
  });

  describeFailureModes({
    engine,
    adapterType: "cursor",
    agent: cursorAgent,
    modeEnv: "FAKE_CURSOR_MODE",
    error: { mode: "error", messages: ["upstream connection reset"] },
    auth: { mode: "auth", exitCode: 1, messages: ["Authentication required", "CURSOR_API_KEY"] },
    quota: { mode: "quota", retryAfterMs: 2 * 3600_000 },
    missingCli: { config: { command: "definitely-not-cursor-agent-xyz" }, messages: ["definitely-not-cursor-agent-xyz"] },
    badConfigs: [
      { config: { mode: "yolo" }, message: 'mode must be "plan" or "ask"' },
      { config: { extraArgs: "--trust" }, message: "extraArgs must be an array of strings" },
    ],
  });
});
