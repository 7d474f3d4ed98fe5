/** `claude_local` through the real engine, with tests/fixtures/fake-claude.mjs standing in for Claude Code. */
import os from "node:os";
import { describe, expect, it } from "vitest";
import { describeFailureModes, useAdapterEngine } from "../helpers/adapter-engine.js";

const engine = useAdapterEngine("Claude Inc", "tests/fixtures/fake-claude.mjs");
const { runOnce, stdoutOf, stderrOf } = engine;

const createClaudeAgent = (name: string, extra: Record<string, unknown> = {}) =>
  engine.createAgent(name, "claude_local", { command: engine.fakeCli, cwd: os.tmpdir(), ...extra });

describe("claude_local", () => {
  it("runs, reports tokens, cost and session, and resumes that session next time", async () => {
    const agent = await createClaudeAgent("claudia", { model: "claude-test-model" });
    const first = await runOnce(agent.id);
    expect(first).toMatchObject({ status: "succeeded", exitCode: 0, errorCode: null, sessionIdBefore: null });
    expect(typeof first.sessionIdAfter).toBe("string");
    const sessionId = first.sessionIdAfter as string;

    const stdout1 = await stdoutOf(first.id);
    expect(stdout1).toContain('"type":"result"');
    expect(stdout1).toContain("PAPERCLIP_API_KEY present: yes");
    // The prompt arrives on stdin, not in argv.
    expect(stdout1).toContain("You are claudia");
    const stderr1 = await stderrOf(first.id);
    expect(stderr1).toContain('fake-claude argv: ["--print","-","--output-format","stream-json","--verbose"');
    expect(stderr1).not.toMatch(/fake-claude argv: .*You are claudia/);
    expect(stderr1).toContain('"--model","claude-test-model"');
    expect(stderr1).not.toContain("--resume");

    const costs = await engine.costsOfAgent(agent.id);
    expect(costs).toHaveLength(1);
    expect(costs[0]).toMatchObject({ heartbeatRunId: first.id, provider: "anthropic", biller: "anthropic", model: "claude-test-model", billingType: "metered_api", inputTokens: 1200, outputTokens: 340, cachedInputTokens: 5000, costCents: 3 });

    expect(await engine.sessionsOf(agent.id)).toEqual([expect.objectContaining({ adapterType: "claude_local", sessionDisplayId: sessionId, lastRunId: first.id })]);

    const second = await runOnce(agent.id);
    expect(second).toMatchObject({ status: "succeeded", sessionIdBefore: sessionId, sessionIdAfter: sessionId });
    expect(await stderrOf(second.id)).toContain(`"--resume","${sessionId}"`);
  });

  it("retries a stale session with a fresh one", async () => {
    const agent = await createClaudeAgent("stale", { env: { FAKE_CLAUDE_MODE: "unknown-session" } });
    const first = await runOnce(agent.id);
    expect(first.status).toBe("succeeded");
    const second = await runOnce(agent.id);
    expect(second).toMatchObject({ status: "succeeded", sessionIdBefore: first.sessionIdAfter });
    expect(second.sessionIdAfter).not.toBe(first.sessionIdAfter);
    const stderr = await stderrOf(second.id);
    expect(stderr).toContain("No conversation found with session ID");
    expect(stderr).toContain("retrying with a fresh session");
  });

  it("sends a prompt larger than one argv element may be on stdin", async () => {
    // Linux caps a single argument at 128 KiB: this prompt would make spawn fail with E2BIG in argv.
    const filler = "x".repeat(300_000);
    const agent = await createClaudeAgent("verbose", { promptTemplate: `You are {{agent.name}}. ${filler}` });
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "succeeded", errorCode: null });
    const expectedLength = "You are verbose. ".length + filler.length;
    expect(await stderrOf(run.id)).toContain(`fake-claude stdin prompt: ${expectedLength} chars`);
  });

  describeFailureModes({
    engine,
    adapterType: "claude_local",
    agent: createClaudeAgent,
    modeEnv: "FAKE_CLAUDE_MODE",
    error: { mode: "error", messages: ["Tool execution exploded"] },
    auth: { mode: "auth", messages: ["Invalid API key"] },
    quota: () => {
      const resetEpoch = Math.floor(Date.now() / 1000) + 2 * 3600;
      const resetsAt = new Date(resetEpoch * 1000).toISOString();
      return { mode: "usage-limit", env: { FAKE_CLAUDE_RESET_EPOCH: String(resetEpoch) }, retryNotBefore: resetsAt, messages: ["usage limit reached", resetsAt] };
    },
    missingCli: { config: { command: "definitely-not-claude-xyz" }, messages: ["definitely-not-claude-xyz"] },
    badConfigs: [{ config: { cwd: "relative" } }],
  });
});
