/** `gemini_local` through the real engine, with tests/fixtures/fake-gemini.mjs standing in for the Gemini CLI. */
import os from "node:os";
import { describe, expect, it } from "vitest";
import { describeFailureModes, useAdapterEngine } from "../helpers/adapter-engine.js";

const engine = useAdapterEngine("Gemini Inc", "tests/fixtures/fake-gemini.mjs");
const { runOnce, stdoutOf, stderrOf, costsOfAgent } = engine;

const createGeminiAgent = (name: string, extra: Record<string, unknown> = {}) =>
  engine.createAgent(name, "gemini_local", { command: engine.fakeCli, cwd: os.tmpdir(), ...extra });

describe("gemini_local", () => {
  it("runs headless, records tokens and session, and resumes that session next time", async () => {
    const agent = await createGeminiAgent("gemma", { model: "gemini-test-model", env: { GEMINI_API_KEY: "test-key-not-real" } });
    const first = await runOnce(agent.id);
    expect(first).toMatchObject({ status: "succeeded", exitCode: 0, errorCode: null, sessionIdBefore: null });
    const sessionId = first.sessionIdAfter as string;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.resultJson.summary).toBe(`Started session ${sessionId}. PAPERCLIP_API_KEY present: yes.`);

    const stderr1 = await stderrOf(first.id);
    expect(stderr1).toContain('"--output-format","stream-json","--model","gemini-test-model","--approval-mode","yolo","--sandbox=none","--prompt","You are gemma');
    expect(stderr1).not.toContain("--resume");
    expect(stderr1).toContain("TERM=dumb NO_BROWSER=true PAPERCLIP_API_KEY=present GEMINI_API_KEY=present");
    expect(await engine.logOf(first.id)).not.toContain("test-key-not-real");

    const costs = await costsOfAgent(agent.id);
    expect(costs).toHaveLength(1);
    expect(costs[0]).toMatchObject({ heartbeatRunId: first.id, provider: "google", biller: "google", model: "gemini-test-model", billingType: "metered_api", inputTokens: 700, outputTokens: 340, cachedInputTokens: 1500, costCents: 0 });

    expect(await engine.sessionsOf(agent.id)).toEqual([expect.objectContaining({ adapterType: "gemini_local", sessionDisplayId: sessionId, lastRunId: first.id })]);

    const second = await runOnce(agent.id);
    expect(second).toMatchObject({ status: "succeeded", sessionIdBefore: sessionId, sessionIdAfter: sessionId });
    expect(second.resultJson.summary).toContain(`Resumed session ${sessionId}`);
    expect(await stderrOf(second.id)).toContain(`"--resume","${sessionId}"`);
  });

  it("retries a session the CLI no longer knows with a fresh one", async () => {
    const agent = await createGeminiAgent("stale", { sandbox: true, env: { FAKE_GEMINI_MODE: "unknown-session" } });
    const first = await runOnce(agent.id);
    expect(first.status).toBe("succeeded");
    const second = await runOnce(agent.id);
    expect(second).toMatchObject({ status: "succeeded", sessionIdBefore: first.sessionIdAfter });
    expect(second.sessionIdAfter).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.sessionIdAfter).not.toBe(first.sessionIdAfter);
    const stderr = await stderrOf(second.id);
    expect(stderr).toContain(`Invalid session identifier "${first.sessionIdAfter}"`);
    expect(stderr).toContain("retrying with a fresh session");
    expect(stderr).toContain('"--sandbox","--prompt"');
    // Without an API key in env the run is on the CLI's own login: billed as a subscription.
    const costs = await costsOfAgent(agent.id);
    expect(costs.map((c) => c.billingType)).toEqual(["subscription_included", "subscription_included"]);
  });

  it("stops a run that outlives timeoutSec and reports timeout", async () => {
    const agent = await createGeminiAgent("slow", { timeoutSec: 1, graceSec: 1, env: { FAKE_GEMINI_MODE: "hang" } });
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "timed_out", errorCode: "timeout" });
    expect(run.error).toContain("timed out after 1s");
    expect(await stdoutOf(run.id)).toContain("Thinking very hard");
  });

  describeFailureModes({
    engine,
    adapterType: "gemini_local",
    agent: createGeminiAgent,
    modeEnv: "FAKE_GEMINI_MODE",
    error: { mode: "error", messages: ["Model stream ended with an invalid chunk"] },
    auth: { mode: "auth", exitCode: 41, messages: ["Please set an Auth method", "GEMINI_API_KEY"] },
    // The fake says "reset after 1h2m3s": whole seconds, so no slack around the window.
    quota: { mode: "quota", exitCode: 1, messages: ["Your quota will reset after 1h2m3s"], retryAfterMs: 3723_000, slackMs: 0, retryInMessage: true },
    missingCli: { config: { command: "definitely-not-gemini-xyz" }, messages: ["definitely-not-gemini-xyz", "@google/gemini-cli"] },
    badConfigs: [{ config: { extraArgs: "--yolo --debug" }, message: "extraArgs must be an array of strings" }],
  });
});
