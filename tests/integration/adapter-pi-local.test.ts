/** `pi_local` through the real engine, with tests/fixtures/fake-pi.mjs standing in for the Pi coding agent. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeFailureModes, useAdapterEngine } from "../helpers/adapter-engine.js";

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "pi-local-"));
fs.writeFileSync(path.join(workDir, "AGENTS.md"), "Always answer in haiku.\n");
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

const engine = useAdapterEngine("Pi Inc", "tests/fixtures/fake-pi.mjs");
const { runOnce, stderrOf, costsOf } = engine;

const piAgent = (name: string, extra: Record<string, unknown> = {}) =>
  engine.createAgent(name, "pi_local", { command: engine.fakeCli, cwd: workDir, model: "anthropic/claude-sonnet-4-5", ...extra });

describe("pi_local", () => {
  it("runs pi --mode json, records tokens and cost, and resumes its session file next time", async () => {
    const agent = await piAgent("pia", { thinking: "high", instructionsFilePath: "AGENTS.md", promptTemplate: "Hello {{agent.name}} ({{wakeReason}})" });
    const first = await runOnce(agent.id);
    expect(first).toMatchObject({ status: "succeeded", exitCode: 0, errorCode: null, sessionIdBefore: null });
    const sessionFile = first.resultJson.sessionFile as string;
    expect(path.basename(path.dirname(sessionFile))).toBe(".pi-sessions");
    expect(fs.existsSync(sessionFile)).toBe(true);
    expect(first.sessionIdAfter).toBe(path.basename(sessionFile, ".jsonl"));
    expect(first.resultJson.summary).toContain("Resumed: no. Instructions: Always answer in haiku.. PAPERCLIP_API_KEY present: yes. Prompt: Hello pia");

    const argv1 = await stderrOf(first.id);
    expect(argv1).toContain(
      `fake-pi argv: ["--mode","json","-p","--append-system-prompt","${path.join(workDir, "AGENTS.md")}","--provider","anthropic","--model","claude-sonnet-4-5","--thinking","high","--session","${sessionFile}"`,
    );

    expect(await costsOf(first.id)).toEqual([expect.objectContaining({ provider: "anthropic", biller: "anthropic", model: "claude-sonnet-4-5", inputTokens: 1250, outputTokens: 340, cachedInputTokens: 5000, costCents: 3 })]);

    const second = await runOnce(agent.id);
    expect(second).toMatchObject({ status: "succeeded", sessionIdBefore: first.sessionIdAfter, sessionIdAfter: first.sessionIdAfter });
    expect(second.resultJson.summary).toContain("Resumed: yes");
    expect(await stderrOf(second.id)).toContain(`"--session","${sessionFile}"`);
  });

  it("starts a new session when the stored session file is gone", async () => {
    const agent = await piAgent("forgetful");
    const first = await runOnce(agent.id);
    fs.rmSync(first.resultJson.sessionFile as string);
    const second = await runOnce(agent.id);
    expect(second).toMatchObject({ status: "succeeded", sessionIdBefore: first.sessionIdAfter });
    expect(second.sessionIdAfter).not.toBe(first.sessionIdAfter);
    expect(second.resultJson.summary).toContain("Resumed: no");
    expect(await stderrOf(second.id)).toContain("no longer exists; starting a new session");
  });

  it("retries once with a new session when Pi cannot load the stored one", async () => {
    const agent = await piAgent("stale", { env: { FAKE_PI_MODE: "stale-session" } });
    const first = await runOnce(agent.id);
    expect(first.status).toBe("succeeded");
    const second = await runOnce(agent.id);
    expect(second).toMatchObject({ status: "succeeded", sessionIdBefore: first.sessionIdAfter });
    expect(second.sessionIdAfter).not.toBe(first.sessionIdAfter);
    const stderr = await stderrOf(second.id);
    expect(stderr).toContain("Failed to load session file");
    expect(stderr).toContain("retrying once with a new session");
  });

  describeFailureModes({
    engine,
    adapterType: "pi_local",
    agent: piAgent,
    modeEnv: "FAKE_PI_MODE",
    error: { mode: "error", messages: ["upstream exploded"] },
    auth: { mode: "auth", exitCode: 1, messages: ["No API key found for anthropic"] },
    quota: { mode: "quota", messages: ["usage limit"], retryAfterMs: 2 * 3600_000 },
    missingCli: { config: { command: "definitely-not-pi-xyz" }, messages: ["definitely-not-pi-xyz"] },
    badConfigs: [
      { config: { cwd: workDir }, message: "model is required" },
      { config: { model: "claude-sonnet" }, message: "provider/model" },
      { config: { model: "openai/gpt-5", extraArgs: "--tools read" }, message: "extraArgs must be an array of strings" },
    ],
  });
});
