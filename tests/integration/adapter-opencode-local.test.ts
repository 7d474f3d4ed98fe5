/** `opencode_local` through the real engine, with tests/fixtures/fake-opencode.mjs standing in for OpenCode. */
import os from "node:os";
import { describe, expect, it } from "vitest";
import { describeFailureModes, useAdapterEngine } from "../helpers/adapter-engine.js";

const engine = useAdapterEngine("OpenCode Inc", "tests/fixtures/fake-opencode.mjs");
const { runOnce, stderrOf, costsOf } = engine;

const opencodeAgent = (name: string, extra: Record<string, unknown> = {}) =>
  engine.createAgent(name, "opencode_local", { command: engine.fakeCli, cwd: os.tmpdir(), model: "anthropic/claude-sonnet-4-5", ...extra });

describe("opencode_local", () => {
  it("runs opencode run --format json, records tokens and cost, and resumes the session next time", async () => {
    const agent = await opencodeAgent("opie", { variant: "high", promptTemplate: "Hello {{agent.name}}, run {{runId}}" });
    const first = await runOnce(agent.id);
    expect(first).toMatchObject({ status: "succeeded", exitCode: 0, errorCode: null, sessionIdBefore: null });
    const sessionId = first.sessionIdAfter as string;
    expect(sessionId).toMatch(/^ses_[0-9a-f]{24}$/);
    expect(first.resultJson.summary).toBe(`Done in session ${sessionId}. PAPERCLIP_API_KEY present: yes`);
    expect(first.resultJson.toolErrors).toEqual([{ tool: "read", error: "File not found: /nope.txt" }]);

    const stderr1 = await stderrOf(first.id);
    expect(stderr1).toContain('fake-opencode argv: ["run","--format","json","--model","anthropic/claude-sonnet-4-5","--variant","high"]');
    expect(stderr1).toContain(`fake-opencode stdin: Hello opie, run ${first.id}`);
    expect(stderr1).toContain("OPENCODE_DISABLE_PROJECT_CONFIG=true");
    expect(stderr1).toContain('OPENCODE_CONFIG_CONTENT={"permission":{"*":"allow","external_directory":"allow"}}');

    expect(await costsOf(first.id)).toEqual([
      expect.objectContaining({ provider: "anthropic", biller: "anthropic", model: "anthropic/claude-sonnet-4-5", billingType: "metered_api", inputTokens: 1200, outputTokens: 340, cachedInputTokens: 5000, costCents: 3 }),
    ]);

    const second = await runOnce(agent.id);
    expect(second).toMatchObject({ status: "succeeded", sessionIdBefore: sessionId, sessionIdAfter: sessionId });
    expect(await stderrOf(second.id)).toContain(`fake-opencode argv: ["run","--format","json","--session","${sessionId}","--model"`);
    expect(await engine.sessionsOf(agent.id)).toEqual([expect.objectContaining({ adapterType: "opencode_local", sessionDisplayId: sessionId, lastRunId: second.id })]);
  });

  it("retries a session OpenCode no longer has with a fresh one", async () => {
    const agent = await opencodeAgent("forgetful", { env: { FAKE_OPENCODE_MODE: "unknown-session" } });
    const first = await runOnce(agent.id);
    expect(first.status).toBe("succeeded");
    const second = await runOnce(agent.id);
    expect(second).toMatchObject({ status: "succeeded", sessionIdBefore: first.sessionIdAfter });
    expect(second.sessionIdAfter).toMatch(/^ses_/);
    expect(second.sessionIdAfter).not.toBe(first.sessionIdAfter);
    const stderr = await stderrOf(second.id);
    expect(stderr).toContain("Error: Session not found");
    expect(stderr).toContain(`OpenCode session ${first.sessionIdAfter} no longer exists; retrying with a fresh session`);
  });

  it("maps an error event to adapter_failed, keeping the tokens spent before it", async () => {
    const agent = await opencodeAgent("crashy", { env: { FAKE_OPENCODE_MODE: "error" } });
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "failed", errorCode: "adapter_failed", exitCode: 1 });
    expect(run.error).toContain("upstream connection reset");
    expect(await costsOf(run.id)).toEqual([expect.objectContaining({ inputTokens: 1000, outputTokens: 120, cachedInputTokens: 3000, costCents: 1 })]);
  });

  describeFailureModes({
    engine,
    adapterType: "opencode_local",
    agent: opencodeAgent,
    modeEnv: "FAKE_OPENCODE_MODE",
    auth: { mode: "auth", exitCode: 1, messages: ["Invalid API key for provider anthropic", "opencode auth login"] },
    quota: { mode: "quota", retryAfterMs: 90 * 60_000 },
    missingCli: { config: { command: "definitely-not-opencode-xyz" }, messages: ["definitely-not-opencode-xyz"] },
    badConfigs: [
      { config: { cwd: os.tmpdir() }, message: "model is required" },
      { config: { model: "claude-sonnet" }, message: "provider/model" },
      { config: { model: "openai/gpt-5", extraArgs: "--agent build" }, message: "extraArgs must be an array of strings" },
    ],
  });
});
