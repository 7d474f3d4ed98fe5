/**
 * Crash recovery with no reaper: a worker SIGKILLed mid-run takes its agent process with it, and
 * once a worker is back the run reaches a terminal state on its own (heartbeat timeout → retry).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { isAlive } from "../../adapters/utils/child-process.js";
import { logText } from "../helpers/api-client.js";
import { startTestRuntime, testEnv, type TestRuntime } from "../helpers/harness.js";
import { waitFor } from "../helpers/wait.js";
import { startWorkerProcess, type WorkerProcess } from "../helpers/worker-process.js";

const taskQueue = `crash-${randomUUID()}`;
let api: TestRuntime;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  // The API lives in the test process; every worker for this task queue is a separate OS process.
  api = await startTestRuntime({ role: "api", taskQueue });
});
afterAll(async () => {
  for (const w of workers) await w.kill();
  await api?.stop();
});

it("a run survives its worker being SIGKILLed: the process dies with the worker, a new worker finishes the run", async () => {
  const env = testEnv({ PORT: new URL(api.baseUrl).port }, taskQueue);
  workers.push(await startWorkerProcess(env));

  const pidDir = fs.mkdtempSync(path.join(os.tmpdir(), "sb-crash-"));
  const pidFile = path.join(pidDir, "pid");
  const company = await api.api.createCompany("Crashy");
  const agent = await api.api.createAgent(company.id, {
    name: "survivor",
    adapterConfig: { command: path.resolve("tests/fixtures/sleeper.mjs"), args: ["4", pidFile], cwd: os.tmpdir() },
  });
  const queued = await api.api.wake(agent.id);
  await api.api.waitForRun(queued.id, 30_000, (r) => r.status === "running" && r.processPid);
  const firstPid = await waitFor("the agent's pid file", () => (fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, "utf8")) : undefined), 10_000);
  expect(isAlive(firstPid)).toBe(true);
  // Output is batched to the log store every 200 ms; kill only after the first line is durable.
  await waitFor("the first attempt's output in the run log", async () => logText((await api.api.runLog(queued.id)).content).includes(`sleeper ${firstPid} starting`) || undefined, 5_000);

  await workers[0]!.kill("SIGKILL");
  // setpriv --pdeathsig: the kernel kills the agent process together with its worker.
  await waitFor("the orphaned agent process to die", () => !isAlive(firstPid) || undefined, 5_000);

  // While no worker lives the run cannot finish; it must not be marked terminal by anyone either.
  expect((await api.api.get(`/api/heartbeat-runs/${queued.id}`)).body.status).toBe("running");

  fs.rmSync(pidFile);
  const killedAt = Date.now();
  workers.push(await startWorkerProcess(env));
  const run = await api.api.waitForRun(queued.id, 60_000);
  // Bounded: heartbeat timeout (3 s) + sticky-queue fallback (10 s) + the 4 s agent + start-up slack.
  expect(Date.now() - killedAt).toBeLessThan(45_000);
  expect(run).toMatchObject({ status: "succeeded", exitCode: 0, attempt: 2 });
  const secondPid = Number(fs.readFileSync(pidFile, "utf8"));
  expect(secondPid).not.toBe(firstPid);
  expect(run.processPid).toBe(secondPid);
  const log = logText((await api.api.runLog(queued.id)).content);
  expect(log).toContain(`sleeper ${firstPid} starting`);
  expect(log).toContain("attempt 2: the previous attempt stopped heartbeating");
  expect(log).toContain("sleeper done");

  const agentAfter = (await api.api.get(`/api/agents/${agent.id}`)).body;
  expect(agentAfter.status).toBe("idle");
});

it("the retried attempt resumes the task's session, and the run records one outcome and one cost row", async () => {
  const env = testEnv({ PORT: new URL(api.baseUrl).port }, taskQueue);
  if (workers.every((w) => w.child.exitCode !== null || w.child.signalCode !== null)) workers.push(await startWorkerProcess(env));
  const pidFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sb-crash-")), "pid");
  const company = await api.api.createCompany("Crashy Sessions");
  const quick = await api.api.createAgent(company.id, {
    name: "sessioned",
    adapterConfig: { command: path.resolve("tests/fixtures/session-agent.mjs"), args: ["0"], cwd: os.tmpdir() },
  });
  const first = await api.api.waitForRun((await api.api.wake(quick.id, { payload: { taskKey: "T" } })).id);
  expect(first.sessionIdAfter).toBe(`sess-${first.id}`);
  // Same agent, now slow: the next run on task T will be interrupted by a worker crash.
  await api.api.request("PATCH", `/api/agents/${quick.id}`, {
    adapterConfig: { command: path.resolve("tests/fixtures/session-agent.mjs"), args: ["3", pidFile], cwd: os.tmpdir() },
  });
  const queued = await api.api.wake(quick.id, { payload: { taskKey: "T" } });
  const pid = await waitFor("the agent's pid file", () => (fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, "utf8")) : undefined), 15_000);
  await waitFor("first attempt output", async () => logText((await api.api.runLog(queued.id)).content).includes("session before=") || undefined, 5_000);
  await workers.at(-1)!.kill("SIGKILL");
  await waitFor("the orphaned agent process to die", () => !isAlive(pid) || undefined, 5_000);
  workers.push(await startWorkerProcess(env));

  const run = await api.api.waitForRun(queued.id, 60_000);
  expect(run).toMatchObject({ status: "succeeded", attempt: 2, sessionIdBefore: `sess-${first.id}`, sessionIdAfter: `sess-${first.id}` });
  const log = logText((await api.api.runLog(queued.id)).content, "stdout");
  // Both attempts resumed the stored session.
  expect(log.match(new RegExp(`session before=sess-${first.id}`, "g"))).toHaveLength(2);
  const costs = await api.runtime.db.selectFrom("cost_events").select(["heartbeatRunId"]).where("agentId", "=", quick.id).execute();
  expect(costs.map((c) => c.heartbeatRunId).sort()).toEqual([first.id, queued.id].sort());
  const state = (await api.api.get(`/api/agents/${quick.id}/runtime-state`)).body;
  expect(state).toMatchObject({ totalInputTokens: 200, totalCostCents: 4, lastRunId: queued.id });
});
