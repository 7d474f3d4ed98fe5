/** `pi_local` through the real engine, with tests/fixtures/fake-pi.mjs standing in for the Pi coding agent. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logText } from "../helpers/api-client.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";

const fakePi = path.resolve("tests/fixtures/fake-pi.mjs");
let t: TestRuntime;
let companyId: string;
let workDir: string;

beforeAll(async () => {
  fs.chmodSync(fakePi, 0o755);
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "pi-local-"));
  fs.writeFileSync(path.join(workDir, "AGENTS.md"), "Always answer in haiku.\n");
  t = await startTestRuntime();
  companyId = (await t.api.createCompany("Pi Inc")).id;
});
afterAll(async () => {
  await t?.stop();
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

const piAgent = (name: string, extra: Record<string, unknown> = {}) =>
  t.api.createAgent(companyId, { name, adapterType: "pi_local", adapterConfig: { command: fakePi, cwd: workDir, model: "anthropic/claude-sonnet-4-5", ...extra } });

const runOnce = async (agentId: string) => t.api.waitForRun((await t.api.wake(agentId, { source: "on_demand", triggerDetail: "manual", reason: "test" })).id);
const stderrOf = async (runId: string) => logText((await t.api.runLog(runId)).content, "stderr");

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

    const costs = await t.runtime.db.selectFrom("cost_events").selectAll().where("heartbeatRunId", "=", first.id).execute();
    expect(costs).toEqual([expect.objectContaining({ provider: "anthropic", biller: "anthropic", model: "claude-sonnet-4-5", inputTokens: 1250, outputTokens: 340, cachedInputTokens: 5000, costCents: 3 })]);

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

  it("maps a missing API key to auth_required", async () => {
    const agent = await piAgent("keyless", { env: { FAKE_PI_MODE: "auth" } });
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "failed", errorCode: "auth_required", exitCode: 1 });
    expect(run.error).toContain("No API key found for anthropic");
  });

  it("maps a usage limit to provider_quota with the reset time", async () => {
    const agent = await piAgent("broke", { env: { FAKE_PI_MODE: "quota" } });
    const before = Date.now();
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "failed", errorCode: "provider_quota" });
    expect(run.error).toContain("usage limit");
    const retryAt = Date.parse(run.resultJson.retryNotBefore);
    expect(retryAt).toBeGreaterThanOrEqual(before + 2 * 3600_000 - 1000);
    expect(retryAt).toBeLessThanOrEqual(Date.now() + 2 * 3600_000 + 1000);
  });

  it("maps a provider error to adapter_failed with Pi's message", async () => {
    const agent = await piAgent("erring", { env: { FAKE_PI_MODE: "error" } });
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "failed", errorCode: "adapter_failed", exitCode: 1 });
    expect(run.error).toContain("upstream exploded");
  });

  it("maps a missing CLI to command_not_found", async () => {
    const agent = await piAgent("nocli", { command: "definitely-not-pi-xyz" });
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "failed", errorCode: "command_not_found", exitCode: null });
    expect(run.error).toContain("definitely-not-pi-xyz");
  });

  it("rejects a missing or malformed model and a string extraArgs at creation", async () => {
    const create = (adapterConfig: Record<string, unknown>) => t.api.post(`/api/companies/${companyId}/agents`, { name: "bad", role: "engineer", adapterType: "pi_local", adapterConfig });
    const missing = await create({ cwd: workDir });
    expect(missing.status).toBe(422);
    expect(missing.body.error).toContain("model is required");
    const malformed = await create({ model: "claude-sonnet" });
    expect(malformed.status).toBe(422);
    expect(malformed.body.error).toContain("provider/model");
    const stringArgs = await create({ model: "openai/gpt-5", extraArgs: "--tools read" });
    expect(stringArgs.status).toBe(422);
    expect(stringArgs.body.error).toContain("extraArgs must be an array of strings");
  });
});
