/** A wakeup runs an agent process end to end: outcomes, logs and the env it sees. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAlive } from "../../adapters/utils/child-process.js";
import { logText } from "../helpers/api-client.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";

const fixtures = path.resolve("tests/fixtures");
let t: TestRuntime;
let companyId: string;

beforeAll(async () => {
  t = await startTestRuntime();
  companyId = (await t.api.createCompany("Runs Inc")).id;
});
afterAll(async () => t?.stop());

describe("a woken process agent", () => {
  it("goes queued → running → succeeded, with its output in the run log and Paperclip's env vars", async () => {
    const agent = await t.api.createAgent(companyId, {
      name: "echoer",
      adapterConfig: {
        command: process.execPath,
        args: ["-e", "for (const k of ['PAPERCLIP_AGENT_ID','PAPERCLIP_COMPANY_ID','PAPERCLIP_API_URL','PAPERCLIP_RUN_ID','DATABASE_URL']) console.log(k + '=' + (process.env[k] ?? '<unset>')); console.error('to stderr')"],
        cwd: os.tmpdir(),
      },
    });
    const queued = await t.api.wake(agent.id, { source: "on_demand", triggerDetail: "manual", reason: "test" });
    expect(queued).toMatchObject({ agentId: agent.id, status: "queued", invocationSource: "on_demand", triggerDetail: "manual" });
    expect(typeof queued.createdAt).toBe("string");

    const run = await t.api.waitForRun(queued.id);
    expect(run).toMatchObject({ status: "succeeded", exitCode: 0 });
    expect(Date.parse(run.startedAt)).toBeGreaterThanOrEqual(Date.parse(run.createdAt));
    expect(Date.parse(run.finishedAt)).toBeGreaterThanOrEqual(Date.parse(run.startedAt));

    const log = await t.api.runLog(queued.id);
    expect(log).toMatchObject({ runId: queued.id, store: "postgres", logRef: queued.id });
    expect(log.nextOffset).toBe(Buffer.byteLength(log.content));
    const stdout = logText(log.content, "stdout");
    expect(stdout).toContain(`PAPERCLIP_AGENT_ID=${agent.id}`);
    expect(stdout).toContain(`PAPERCLIP_COMPANY_ID=${companyId}`);
    expect(stdout).toContain(`PAPERCLIP_RUN_ID=${queued.id}`);
    expect(stdout).toContain(`PAPERCLIP_API_URL=${t.config.agentApiUrl}\n`);
    expect(t.config.agentApiUrl.endsWith("/api")).toBe(false);
    // The server's own credentials never reach an agent: the child env is allow-listed.
    expect(stdout).toContain("DATABASE_URL=<unset>");
    expect(logText(log.content, "stderr")).toBe("to stderr\n");

    const agentAfter = (await t.api.get(`/api/agents/${agent.id}`)).body;
    expect(agentAfter.status).toBe("idle");
    expect(agentAfter.lastHeartbeatAt).not.toBeNull();
  });

  it("serves the log in byte ranges", async () => {
    const agent = await t.api.createAgent(companyId, {
      name: "chatty",
      adapterConfig: { command: process.execPath, args: ["-e", "for (let i = 0; i < 200; i++) console.log('line ' + i)"], cwd: os.tmpdir() },
    });
    const run = await t.api.waitForRun((await t.api.wake(agent.id)).id);
    expect(run.status).toBe("succeeded");
    let offset = 0;
    let content = "";
    for (let i = 0; i < 100; i++) {
      const page = (await t.api.get(`/api/heartbeat-runs/${run.id}/log?offset=${offset}&limitBytes=700`)).body;
      if (page.content === "") break;
      content += page.content;
      offset = page.nextOffset;
    }
    expect(offset).toBe(run.logBytes);
    expect(logText(content, "stdout")).toContain("line 0\nline 1\n");
    expect(logText(content, "stdout")).toContain("line 199\n");
  });

  it("fails with the process's exit code", async () => {
    const agent = await t.api.createAgent(companyId, {
      name: "failer",
      adapterConfig: { command: process.execPath, args: ["-e", "console.log('bad things'); process.exit(3)"], cwd: os.tmpdir() },
    });
    const run = await t.api.waitForRun((await t.api.wake(agent.id)).id);
    expect(run).toMatchObject({ status: "failed", exitCode: 3, errorCode: "adapter_failed", error: "Process exited with code 3" });
    expect(logText((await t.api.runLog(run.id)).content)).toContain("bad things");
    expect((await t.api.get(`/api/agents/${agent.id}`)).body.status).toBe("error");
  });

  it("times out after timeoutSec, and the process is gone", async () => {
    const pidFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sb-pid-")), "pid");
    const agent = await t.api.createAgent(companyId, {
      name: "overrunner",
      adapterConfig: { command: path.join(fixtures, "sleeper.mjs"), args: ["60", pidFile, "--ignore-term"], cwd: os.tmpdir(), timeoutSec: 1, graceSec: 1 },
    });
    const started = Date.now();
    const run = await t.api.waitForRun((await t.api.wake(agent.id)).id);
    expect(run).toMatchObject({ status: "timed_out", errorCode: "timeout" });
    // SIGTERM was ignored, so SIGKILL after the grace period ended it: ~2 s, far below the 60 s sleep.
    expect(Date.now() - started).toBeLessThan(20_000);
    const pid = Number(fs.readFileSync(pidFile, "utf8"));
    expect(run.processPid).toBe(pid);
    expect(isAlive(pid)).toBe(false);
    expect(logText((await t.api.runLog(run.id)).content)).toContain("ignoring SIGTERM");
  });

  it("fails with command_not_found when the executable does not exist", async () => {
    const agent = await t.api.createAgent(companyId, {
      name: "ghost",
      adapterConfig: { command: "definitely-not-a-real-binary-xyz", args: [], cwd: os.tmpdir() },
    });
    const run = await t.api.waitForRun((await t.api.wake(agent.id)).id);
    expect(run).toMatchObject({ status: "failed", errorCode: "command_not_found", exitCode: null });
    expect(run.error).toContain("definitely-not-a-real-binary-xyz");
  });

  it("without a cwd, runs in the agent's own home under the data directory, not the server's directory", async () => {
    const agent = await t.api.createAgent(companyId, {
      name: "homebody",
      adapterConfig: { command: process.execPath, args: ["-e", "console.log('cwd=' + process.cwd()); console.log('home=' + process.env.AGENT_HOME)"] },
    });
    const run = await t.api.waitForRun((await t.api.wake(agent.id)).id);
    const expected = path.join(t.config.home, "agents", agent.id);
    const out = logText((await t.api.runLog(run.id)).content, "stdout");
    expect(out).toContain(`cwd=${expected}\n`);
    expect(out).toContain(`home=${expected}\n`);
  });

  it("lists a company's runs, newest first, filtered by agent", async () => {
    const agent = await t.api.createAgent(companyId, { name: "lister", adapterConfig: { command: "/bin/true", args: [], cwd: os.tmpdir() } });
    const first = await t.api.waitForRun((await t.api.wake(agent.id)).id);
    const second = await t.api.waitForRun((await t.api.wake(agent.id)).id);
    const list = (await t.api.get(`/api/companies/${companyId}/heartbeat-runs?agentId=${agent.id}`)).body;
    expect(list.map((r: { id: string }) => r.id)).toEqual([second.id, first.id]);
  });
});
