/** `hermes_local` through the real engine, with tests/fixtures/fake-hermes.mjs standing in for the Hermes Agent CLI. */
import os from "node:os";
import { describe, expect, it } from "vitest";
import { describeFailureModes, useAdapterEngine } from "../helpers/adapter-engine.js";

const engine = useAdapterEngine("Hermes Inc", "tests/fixtures/fake-hermes.mjs");
const { runOnce, stderrOf, costsOf } = engine;

const hermesAgent = (name: string, extra: Record<string, unknown> = {}) =>
  engine.createAgent(name, "hermes_local", { hermesCommand: engine.fakeCli, cwd: os.tmpdir(), ...extra });

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

  describeFailureModes({
    engine,
    adapterType: "hermes_local",
    agent: hermesAgent,
    modeEnv: "FAKE_HERMES_MODE",
    error: { mode: "error", messages: ["RuntimeError: tool loop exploded"] },
    auth: { mode: "auth", exitCode: 1, messages: ["No auth credentials found"] },
    quota: { mode: "quota", messages: ["Rate limit exceeded"], retryAfterMs: 2 * 3600_000 },
    missingCli: { config: { hermesCommand: "definitely-not-hermes-xyz" }, messages: ["definitely-not-hermes-xyz"] },
    badConfigs: [
      { config: { extraArgs: "--checkpoints" }, message: "extraArgs must be an array of strings" },
      { config: { maxTurns: 0 } },
      { config: { toolsets: "web; rm -rf /" } },
    ],
  });
});
