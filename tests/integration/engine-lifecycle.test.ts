/**
 * Timers, pause/resume/terminate, run cancellation and operator visibility, through the real engine.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client, Connection } from "@temporalio/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { isAlive } from "../../adapters/utils/child-process.js";
import { agentWorkflowId, stateQuery } from "../../workflows/definitions.js";
import { logText } from "../helpers/api-client.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";
import { sleep, waitFor } from "../helpers/wait.js";

const fixtures = path.resolve("tests/fixtures");
let t: TestRuntime;
let companyId: string;
let connection: Connection;
let client: Client;

beforeAll(async () => {
  t = await startTestRuntime();
  companyId = (await t.api.createCompany("Lifecycle Co")).id;
  connection = await Connection.connect({ address: inject("temporalAddress") });
  client = new Client({ connection });
});
afterAll(async () => {
  await connection?.close();
  await t?.stop();
});

const runsOf = async (agentId: string) => (await t.api.get(`/api/companies/${companyId}/heartbeat-runs?agentId=${agentId}&limit=1000`)).body as any[];
const pidFileIn = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sb-life-")), "pid");
const readPid = (file: string) => waitFor("the agent's pid file", () => (fs.existsSync(file) && fs.readFileSync(file, "utf8") ? Number(fs.readFileSync(file, "utf8")) : undefined), 10_000);

describe("heartbeat timer", () => {
  it("wakes on intervalSec with reason heartbeat_timer; PATCH changes or stops it at once, without a restart", async () => {
    const agent = await t.api.createAgent(companyId, {
      name: "ticker",
      adapterConfig: { command: "/bin/true", args: [], cwd: os.tmpdir() },
      runtimeConfig: { heartbeat: { intervalSec: 1 } },
    });
    // No wakeup was sent: the timer alone produces runs.
    const timed = await waitFor("two timer runs", async () => {
      const runs = (await runsOf(agent.id)).filter((r) => r.status === "succeeded");
      return runs.length >= 2 ? runs : undefined;
    }, 15_000);
    expect(timed[0]).toMatchObject({ invocationSource: "timer", triggerDetail: "system" });
    expect(timed[0].contextSnapshot).toMatchObject({ wakeReason: "heartbeat_timer", wakeSource: "timer" });

    // Turn the timer off: no new runs.
    expect((await t.api.request("PATCH", `/api/agents/${agent.id}`, { runtimeConfig: { heartbeat: { intervalSec: 1, enabled: false } } })).status).toBe(200);
    await sleep(500); // a run admitted just before the PATCH may still finish
    const settled = (await runsOf(agent.id)).length;
    await sleep(2500);
    expect((await runsOf(agent.id)).length).toBe(settled);

    // Back on with a new interval: runs resume within about one interval.
    await t.api.request("PATCH", `/api/agents/${agent.id}`, { runtimeConfig: { heartbeat: { intervalSec: 1, enabled: true } } });
    await waitFor("timer runs to resume", async () => (await runsOf(agent.id)).length > settled || undefined, 5_000);
    // Leave no timer running behind the test.
    await t.api.request("PATCH", `/api/agents/${agent.id}`, { runtimeConfig: { heartbeat: { intervalSec: 0 } } });
  }, 40_000);

  it("a heartbeat longer than its interval does not pile up runs", async () => {
    const agent = await t.api.createAgent(companyId, {
      name: "slow-ticker",
      adapterConfig: { command: path.join(fixtures, "sleeper.mjs"), args: ["3"], cwd: os.tmpdir() },
      runtimeConfig: { heartbeat: { intervalSec: 1 } },
    });
    await sleep(6500);
    await t.api.request("PATCH", `/api/agents/${agent.id}`, { runtimeConfig: { heartbeat: { intervalSec: 0 } } });
    const runs = await runsOf(agent.id);
    // ~6 ticks in 6.5 s, but each 3 s run absorbs the ticks that fire while it is busy.
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.length).toBeLessThanOrEqual(3);
    expect(runs.filter((r) => r.status === "queued").length).toBeLessThanOrEqual(1);
    const rows = (await t.api.get(`/api/agents/${agent.id}/wakeup-requests?limit=100`)).body as any[];
    expect(rows.filter((r) => r.status === "coalesced" && r.reason === "heartbeat_timer").length).toBeGreaterThanOrEqual(2);
  }, 30_000);
});

describe("pause, resume, terminate", () => {
  it("pause cancels the running and the queued runs and refuses wakeups with 409; resume restores", async () => {
    const pidFile = pidFileIn();
    const agent = await t.api.createAgent(companyId, {
      name: "pausable",
      adapterConfig: { command: path.join(fixtures, "sleeper.mjs"), args: ["30", pidFile], cwd: os.tmpdir(), graceSec: 1 },
    });
    const running = await t.api.wake(agent.id, { payload: { taskKey: "a" } });
    const queued = await t.api.wake(agent.id, { payload: { taskKey: "b" } });
    const pid = await readPid(pidFile);

    const paused = await t.api.post(`/api/agents/${agent.id}/pause`, { reason: "maintenance" });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ status: "paused", pauseReason: "maintenance" });
    expect((await t.api.get(`/api/heartbeat-runs/${queued.id}`)).body).toMatchObject({ status: "cancelled", errorCode: "cancelled" });
    expect((await t.api.waitForRun(running.id, 10_000)).status).toBe("cancelled");
    await waitFor("the paused agent's process to be gone", () => !isAlive(pid) || undefined, 5_000);

    const refused = await t.api.post(`/api/agents/${agent.id}/wakeup`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe("Agent is not invokable in its current state");
    expect((await t.api.get(`/api/agents/${agent.id}`)).body.status).toBe("paused");

    const resumed = await t.api.post(`/api/agents/${agent.id}/resume`);
    expect(resumed.body).toMatchObject({ status: "idle", pauseReason: null });
    fs.rmSync(pidFile);
    const next = await t.api.wake(agent.id, { payload: { taskKey: "c" } });
    await readPid(pidFile);
    expect((await t.api.get(`/api/heartbeat-runs/${next.id}`)).body.status).toBe("running");
    await t.api.post(`/api/heartbeat-runs/${next.id}/cancel`);
    expect((await t.api.waitForRun(next.id, 10_000)).status).toBe("cancelled");
  }, 40_000);

  it("terminate is final", async () => {
    const agent = await t.api.createAgent(companyId, { name: "doomed", adapterConfig: { command: "/bin/true", args: [], cwd: os.tmpdir() } });
    await t.api.waitForRun((await t.api.wake(agent.id)).id);
    expect((await t.api.post(`/api/agents/${agent.id}/terminate`)).body.status).toBe("terminated");
    expect((await t.api.post(`/api/agents/${agent.id}/wakeup`, {})).status).toBe(409);
    expect((await t.api.post(`/api/agents/${agent.id}/resume`)).status).toBe(409);
    expect((await t.api.post(`/api/agents/${agent.id}/pause`)).status).toBe(409);
    // The agent workflow closed.
    await waitFor("the agent workflow to close", async () => (await client.workflow.getHandle(agentWorkflowId(agent.id)).describe()).status.name === "COMPLETED" || undefined, 10_000);
  });
});

describe("run cancellation", () => {
  it("a queued run is cancelled at once, a running one within seconds with its whole process group", async () => {
    const pidFile = pidFileIn();
    const agent = await t.api.createAgent(companyId, {
      name: "cancellable",
      // Ignores SIGTERM: only the SIGKILL after graceSec can end it.
      adapterConfig: { command: path.join(fixtures, "sleeper.mjs"), args: ["60", pidFile, "--ignore-term"], cwd: os.tmpdir(), graceSec: 1 },
    });
    const running = await t.api.wake(agent.id, { payload: { taskKey: "x" } });
    const queued = await t.api.wake(agent.id, { payload: { taskKey: "y" } });
    const pid = await readPid(pidFile);

    const q = await t.api.post(`/api/heartbeat-runs/${queued.id}/cancel`);
    expect(q.status).toBe(200);
    expect(q.body).toMatchObject({ id: queued.id, status: "cancelled" });

    const started = Date.now();
    expect((await t.api.post(`/api/heartbeat-runs/${running.id}/cancel`)).status).toBe(200);
    const done = await t.api.waitForRun(running.id, 15_000);
    expect(done).toMatchObject({ status: "cancelled", errorCode: "cancelled" });
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(isAlive(pid)).toBe(false);
    expect(logText((await t.api.runLog(running.id)).content)).toContain("ignoring SIGTERM");
    expect((await t.api.get(`/api/agents/${agent.id}`)).body.status).toBe("idle");

    const again = await t.api.post(`/api/heartbeat-runs/${running.id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: "run_not_active" });
    const wakes = (await t.api.get(`/api/agents/${agent.id}/wakeup-requests`)).body as any[];
    expect(wakes.filter((w) => w.status === "cancelled")).toHaveLength(2);
  }, 30_000);
});

describe("operators in the Temporal UI", () => {
  it("agent and run workflows carry search attributes, and the agent answers a state query", async () => {
    const agent = await t.api.createAgent(companyId, { name: "visible", adapterConfig: { command: "/bin/true", args: [], cwd: os.tmpdir() } });
    const run = await t.api.waitForRun((await t.api.wake(agent.id, { reason: "ops-check" })).id);
    const found = await waitFor("both workflows in visibility", async () => {
      const ids: string[] = [];
      for await (const wf of client.workflow.list({ query: `AgentId = '${agent.id}'` })) ids.push(wf.workflowId);
      return ids.length >= 2 ? ids : undefined;
    }, 15_000);
    expect(found.sort()).toEqual([`agent/${agent.id}`, `run/${run.id}`].sort());
    const byRun: string[] = [];
    for await (const wf of client.workflow.list({ query: `HeartbeatRunId = '${run.id}' AND WakeReason = 'ops-check'` })) byRun.push(wf.workflowId);
    expect(byRun).toEqual([`run/${run.id}`]);
    const idle: string[] = [];
    await waitFor("AgentStatus idle", async () => {
      idle.length = 0;
      for await (const wf of client.workflow.list({ query: `AgentId = '${agent.id}' AND AgentStatus = 'idle'` })) idle.push(wf.workflowId);
      return idle.length === 1 || undefined;
    }, 15_000);
    const state = await client.workflow.getHandle(agentWorkflowId(agent.id)).query(stateQuery);
    expect(state).toMatchObject({ agentId: agent.id, paused: false, terminated: false, queue: { queued: [], running: [], maxConcurrentRuns: 1 } });
  }, 30_000);
});
