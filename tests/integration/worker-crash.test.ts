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
