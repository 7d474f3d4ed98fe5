/**
 * Chaos on private infrastructure: this file starts its OWN Temporal dev server (with a low
 * continue-as-new threshold) and its OWN embedded Postgres, so it can restart them without
 * disturbing the shared ones other test files use. What a user must never notice:
 * - the agent workflow continuing-as-new while wakeups are in flight loses or duplicates nothing;
 * - a Temporal restart mid-burst loses no wakeup and no run (clients retry 503s with the same key);
 * - a Postgres restart mid-burst loses no wakeup and no run, and records one outcome per run.
 * Switchboard itself is never restarted: its worker, client and pg pool must recover on their own.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { Client, Connection } from "@temporalio/client";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startRuntime, type Runtime } from "../../cli/runtime.js";
import { loadConfig } from "../../core/config.js";
import { startEmbeddedPostgres, type EmbeddedPg } from "../../db/embedded.js";
import { isPortFree, startDevServer, type DevServer, type DevServerOptions } from "../../temporal/dev-server.js";
import type { AgentStateSnapshot } from "../../workflows/definitions.js";
import { ApiClient, TERMINAL_RUN_STATUSES } from "../helpers/api-client.js";
import { freePort } from "../helpers/ports.js";
import { sleep, waitFor } from "../helpers/wait.js";

const sleeperPath = path.resolve("tests/fixtures/sleeper.mjs");
const sleeper = (secs: number) => ({ command: sleeperPath, args: [String(secs)], cwd: os.tmpdir() });

let tmp: string;
let devServerOpts: DevServerOptions;
let server: DevServer | undefined;
let pgDataDir: string;
let pgPort: number;
let pgServer: EmbeddedPg | undefined;
let runtime: Runtime | undefined;
let api: ApiClient;
let temporalConnection: Connection | undefined;
let temporal: Client;

/** A free port whose +1000 neighbour (the dev server's HTTP API port) is free too. */
async function freeDevServerPort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await freePort();
    if (port + 1000 <= 65535 && (await isPortFree(port + 1000))) return port;
  }
  throw new Error("no free port pair for the dev server");
}

/** Starts (or restarts) the private Postgres on the same data directory and port; its log explains a failure. */
async function startPostgres(): Promise<EmbeddedPg> {
  try {
    return await startEmbeddedPostgres({ dataDir: pgDataDir, port: pgPort });
  } catch (err) {
    const logFile = path.join(path.dirname(pgDataDir), "postgres.log");
    const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").split("\n").slice(-30).join("\n") : "(no log)";
    throw new Error(`${(err as Error).message}\n${tail}`);
  }
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sb-chaos-"));
  pgDataDir = path.join(tmp, "pg", "data");
  // One after the other, each port chosen just before it is bound: the dev server binds random
  // ports for its internal services at start-up, which must not take the one chosen for Postgres.
  pgPort = await freePort();
  pgServer = await startPostgres();
  devServerOpts = {
    cliPath: inject("temporalCliPath"),
    dbFile: path.join(tmp, "temporal", "temporal.sqlite"),
    port: await freeDevServerPort(),
    uiPort: 0,
    logFile: path.join(tmp, "temporal.log"),
    // Continue-as-new is suggested after a few dozen events instead of thousands.
    dynamicConfig: { "limit.historyCount.suggestContinueAsNew": 40 },
  };
  server = await startDevServer(devServerOpts);

  const config = loadConfig({
    DATABASE_URL: pgServer.url,
    TEMPORAL_ADDRESS: server.address,
    PORT: String(await freePort()),
    SWITCHBOARD_HOME: path.join(tmp, "home"),
    TEMPORAL_TASK_QUEUE: `chaos-${randomUUID()}`,
    SWITCHBOARD_RUN_HEARTBEAT_TIMEOUT_SEC: "3",
    LOG_LEVEL: "warn",
  });
  runtime = await startRuntime(config, { log: () => undefined, workflowBundle: { codePath: inject("workflowBundlePath") } });
  api = new ApiClient(runtime.apiUrl!);
  temporalConnection = await Connection.connect({ address: server.address });
  temporal = new Client({ connection: temporalConnection });
}, 120_000);

afterAll(async () => {
  // Bounded: a wedged workflow task can hold the worker's shutdown; the servers still get stopped.
  await Promise.race([runtime?.stop().catch(() => undefined), sleep(30_000)]);
  await temporalConnection?.close().catch(() => undefined);
  await server?.stop().catch(() => undefined);
  await pgServer?.stop().catch(() => undefined);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}, 60_000);

// ---------------------------------------------------------------------------------------------
// Helpers

interface WakeAttempt {
  status: number | "network";
  sentAt: number;
  answeredAt: number;
}

interface AcceptedWake {
  key: string;
  runId: string;
  attempts: WakeAttempt[];
}

/**
 * What a well-behaved client does during an outage: POST the wake; on a 5xx (or a dropped
 * connection) wait and send the SAME idempotency key again, until a 202 or the deadline.
 * Anything 4xx is a real refusal and fails the test.
 */
async function wakeUntilAccepted(agentId: string, key: string, taskKey: string, deadlineMs: number): Promise<AcceptedWake> {
  const attempts: WakeAttempt[] = [];
  for (;;) {
    const sentAt = Date.now();
    let status: number | "network";
    let body: any;
    try {
      const res = await api.request("POST", `/api/agents/${agentId}/wakeup`, { payload: { taskKey }, idempotencyKey: key });
      status = res.status;
      body = res.body;
    } catch {
      status = "network";
    }
    attempts.push({ status, sentAt, answeredAt: Date.now() });
    if (status === 202) {
      if (typeof body?.id !== "string") throw new Error(`wake ${key}: 202 without a run id: ${JSON.stringify(body)}`);
      return { key, runId: body.id, attempts };
    }
    if (typeof status === "number" && status < 500) throw new Error(`wake ${key}: refused with ${status} ${JSON.stringify(body)}`);
    if (Date.now() > deadlineMs) throw new Error(`wake ${key}: no 202 before the deadline; attempts ${JSON.stringify(attempts)}`);
    await sleep(300);
  }
}

/** Polls the company's run list (one request per poll) until every expected run is terminal. */
async function waitForTerminalRuns(companyId: string, expectedIds: Set<string>, timeoutMs: number, explain: (runId: string) => unknown = () => undefined): Promise<any[]> {
  let last: any[] = [];
  try {
    return await waitFor(
      `${expectedIds.size} runs to reach a terminal status`,
      async () => {
        const res = await api.get(`/api/companies/${companyId}/heartbeat-runs?limit=1000`);
        if (res.status !== 200) return undefined; // e.g. Postgres still coming back
        last = res.body as any[];
        const mine = last.filter((r) => expectedIds.has(r.id));
        return mine.length === expectedIds.size && mine.every((r) => TERMINAL_RUN_STATUSES.includes(r.status)) ? last : undefined;
      },
      timeoutMs,
      250,
    );
  } catch (err) {
    const pending = last.filter((r) => !TERMINAL_RUN_STATUSES.includes(r.status)).map((r) => ({ id: r.id, status: r.status, wake: explain(r.id) }));
    throw new Error(`${(err as Error).message}; not terminal: ${JSON.stringify(pending)}`);
  }
}

/** Every run in the list, every wake row, checked against the keys the client got a 202 for. */
async function expectNothingLostNothingDuplicated(companyId: string, agentIds: string[], accepted: AcceptedWake[], settleMs: number) {
  // Each key got exactly one 202 (the client stops at the first), so keys ↔ runs must be 1:1.
  const runIds = new Set(accepted.map((a) => a.runId));
  expect(runIds.size).toBe(accepted.length);

  const all = await waitForTerminalRuns(companyId, runIds, settleMs, (runId) => {
    const a = accepted.find((w) => w.runId === runId);
    return a ? { key: a.key, attempts: a.attempts.map((t) => `${t.status} after ${t.answeredAt - t.sentAt} ms`) } : "no 202 named this run";
  });
  const mine = all.filter((r) => agentIds.includes(r.agentId));
  // No orphan run (recorded but never answered), none twice in the list, every one terminal and fine.
  expect(mine.map((r) => r.id).sort()).toEqual([...runIds].sort());
  expect(mine.filter((r) => r.status !== "succeeded").map((r) => ({ id: r.id, status: r.status, error: r.error, errorCode: r.errorCode }))).toEqual([]);

  // The audit trail agrees: every recorded wake for a key points at that key's one run.
  const runOfKey = new Map(accepted.map((a) => [a.key, a.runId]));
  for (const agentId of agentIds) {
    const rows = (await api.get(`/api/agents/${agentId}/wakeup-requests?limit=1000`)).body as any[];
    for (const row of rows) {
      expect(row.idempotencyKey, `wake row ${row.id}`).not.toBeNull();
      expect(row.runId, `wake row ${row.id} (key ${row.idempotencyKey})`).toBe(runOfKey.get(row.idempotencyKey));
    }
    // Wake rows whose run finished are completed; none is left queued or claimed.
    expect(rows.filter((r) => r.status !== "completed").map((r) => ({ key: r.idempotencyKey, status: r.status }))).toEqual([]);
  }
}

/** Fires one wake per entry of `offsetsMs` (sent that long from now), round-robin over the agents, each with a distinct key and task. */
function burst(prefix: string, agentIds: string[], offsetsMs: number[], deadlineMs: number): Promise<AcceptedWake[]> {
  return Promise.all(
    offsetsMs.map(async (offset, i) => {
      await sleep(offset);
      return wakeUntilAccepted(agentIds[i % agentIds.length]!, `${prefix}-key-${i}`, `${prefix}-task-${i}`, deadlineMs);
    }),
  );
}

/** 30 wakes 100 ms apart, plus a wave of 3 per agent at `waveAtMs`, when the outage begins. */
const burstShape = (agents: number, waveAtMs: number) => [
  ...Array.from({ length: 30 }, (_, i) => i * 100),
  ...Array.from({ length: 3 * agents }, () => waveAtMs),
];

const sentDuring = (accepted: AcceptedWake[], from: number, to: number) =>
  accepted.flatMap((a) => a.attempts).filter((t) => t.sentAt >= from && t.sentAt <= to).length;

// ---------------------------------------------------------------------------------------------

describe("engine chaos (private Temporal dev server and Postgres)", () => {
  it("continue-as-new while wakes are in flight loses nothing and duplicates nothing", async () => {
    const company = await api.createCompany("Chaos CAN");
    const agent = await api.createAgent(company.id, { name: "can-agent", adapterConfig: { command: "/bin/true", args: [], cwd: os.tmpdir() } });
    const handle = temporal.workflow.getHandle(`agent/${agent.id}`);
    const state = () => handle.query<AgentStateSnapshot>("state");

    const first = await api.request("POST", `/api/agents/${agent.id}/wakeup`, { payload: { taskKey: "can-first" } });
    expect(first.status).toBe(202);
    const firstRunId = (await handle.describe()).runId;

    // 60 logical wakes with distinct tasks (nothing coalesces), in 12 batches of 5 sent at once.
    // Every third carries an idempotency key; every sixth is sent twice — half of those within the
    // same batch (racing each other), half again two batches later (after a continue-as-new, so
    // the key must have been carried across).
    type Send = { i: number; taskKey: string; idempotencyKey?: string };
    const logical: Send[] = Array.from({ length: 60 }, (_, i) => ({ i, taskKey: `can-task-${i}`, ...(i % 3 === 0 ? { idempotencyKey: `can-key-${i}` } : {}) }));
    const batches: Send[][] = Array.from({ length: 12 }, (_, b) => logical.slice(b * 5, b * 5 + 5));
    for (const s of logical.filter((w) => w.i % 6 === 0)) {
      const home = Math.floor(s.i / 5);
      batches[(s.i / 6) % 2 === 0 ? home : Math.min(home + 2, 11)]!.push({ ...s });
    }
    expect(batches.flat()).toHaveLength(70);

    const results: Array<{ send: Send; status: number; runId: string | undefined; body: unknown }> = [];
    for (const [b, batch] of batches.entries()) {
      results.push(
        ...(await Promise.all(
          batch.map(async (s) => {
            const res = await api.request("POST", `/api/agents/${agent.id}/wakeup`, {
              payload: { taskKey: s.taskKey },
              ...(s.idempotencyKey ? { idempotencyKey: s.idempotencyKey } : {}),
            });
            return { send: s, status: res.status, runId: res.body?.id as string | undefined, body: res.body };
          }),
        )),
      );
      // The workflow continues-as-new only when no run is running, so aim the next batch at that
      // moment: after even batches wait until the agent is idle (it continues-as-new right then, as
      // the history is past the threshold) and fire at once; after odd ones fire as soon as nothing
      // is queued, racing the last run. Wakes land before, during and after each continue-as-new.
      const idle = b % 2 === 0;
      await waitFor(
        idle ? "an idle agent" : "the batch's runs to start",
        async () => {
          const q = (await state().catch(() => undefined))?.queue;
          return (q && q.queued.length === 0 && (!idle || q.running.length === 0)) || undefined;
        },
        20_000,
        10,
      );
    }
    expect(results.filter((r) => r.status !== 202).map((r) => ({ i: r.send.i, status: r.status, body: r.body }))).toEqual([]);

    // Each logical wake (so each key) got exactly one run id, also when sent twice.
    const runOfWake = new Map<number, Set<string>>();
    for (const r of results) runOfWake.set(r.send.i, (runOfWake.get(r.send.i) ?? new Set()).add(r.runId!));
    expect([...runOfWake.entries()].filter(([, ids]) => ids.size !== 1)).toEqual([]);
    const runIds = new Set([first.body.id as string, ...results.map((r) => r.runId!)]);
    expect(runIds.size).toBe(61);

    // Every run exists once, finished well; no other run appeared.
    const all = await waitForTerminalRuns(company.id, runIds, 60_000);
    const mine = all.filter((r) => r.agentId === agent.id);
    expect(mine.map((r) => r.id).sort()).toEqual([...runIds].sort());
    expect(mine.filter((r) => r.status !== "succeeded").map((r) => ({ id: r.id, status: r.status, error: r.error }))).toEqual([]);
    // Duplicates are answered from the remembered key and leave no row: one row per logical wake.
    const rows = (await api.get(`/api/agents/${agent.id}/wakeup-requests?limit=1000`)).body as any[];
    expect(rows).toHaveLength(61);
    expect(rows.filter((r) => r.status !== "completed" || !runIds.has(r.runId))).toEqual([]);

    // It really continued-as-new, several times, and the current run still answers queries.
    let seen: Array<{ runId: string; status: string }> = [];
    await waitFor(
      "continued-as-new executions of the agent workflow in visibility",
      async () => {
        seen = [];
        for await (const wf of temporal.workflow.list({ query: `WorkflowId = 'agent/${agent.id}'` })) seen.push({ runId: wf.runId, status: wf.status.name });
        return seen.filter((wf) => wf.status === "CONTINUED_AS_NEW").length >= 3 || undefined;
      },
      15_000,
      250,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; executions: ${JSON.stringify(seen)}`);
    });
    const current = await handle.describe();
    expect(current.status.name).toBe("RUNNING");
    expect(current.runId).not.toBe(firstRunId);
    const idle = await waitFor(
      "an idle agent workflow",
      async () => {
        const s = await state();
        return s.queue.queued.length === 0 && s.queue.running.length === 0 ? s : undefined;
      },
      10_000,
      200,
    );
    expect(idle).toMatchObject({ agentId: agent.id, paused: false, terminated: false });
    // Keys survived every continue-as-new: a repeat now still answers with the run it produced.
    const again = await api.request("POST", `/api/agents/${agent.id}/wakeup`, { payload: { taskKey: "can-task-3" }, idempotencyKey: "can-key-3" });
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(results.find((r) => r.send.i === 3)!.runId);
  }, 90_000);

  // Regression: `locked()` once let every update released in one activation through together, so
  // their admissions ran concurrently and same-task wakes each became a run. A slow Postgres write
  // (a lock held by the test) makes the batch arrive together deterministically.
  it("wakes for one task that reach a busy workflow together merge into one run (slow database)", async () => {
    const company = await api.createCompany("Chaos Mutex");
    const agent = await api.createAgent(company.id, { name: "mutex-agent", adapterConfig: sleeper(2) });
    const busy = await api.wake(agent.id, { payload: { taskKey: "busy" } });
    await api.waitForRun(busy.id, 20_000, (r) => r.status === "running");

    const locker = new pg.Client({ connectionString: pgServer!.url });
    await locker.connect();
    let results: Array<{ status: number; body: any }>;
    try {
      // Writes of wake rows wait on this lock; the workflow task admitting the next wake stays open,
      // so the wakes sent meanwhile reach the workflow together, in the next activation.
      await locker.query("begin");
      await locker.query("lock table agent_wakeup_requests in exclusive mode");
      const blocked = api.request("POST", `/api/agents/${agent.id}/wakeup`, { payload: { taskKey: "other" } });
      await sleep(300);
      const together = Promise.all(Array.from({ length: 4 }, () => api.request("POST", `/api/agents/${agent.id}/wakeup`, { payload: { taskKey: "T" } })));
      await sleep(700);
      await locker.query("commit");
      results = [await blocked, ...(await together)];
    } finally {
      await locker.end().catch(() => undefined);
    }
    expect(results.map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
    const sameTask = results.slice(1);
    // All four are for task T while its run is still queued: one run, three coalesced into it.
    expect(new Set(sameTask.map((r) => r.body.id)).size).toBe(1);
    const ids = new Set([busy.id, ...results.map((r) => r.body.id as string)]);
    await waitForTerminalRuns(company.id, ids, 30_000);
    const runs = ((await api.get(`/api/companies/${company.id}/heartbeat-runs?limit=1000`)).body as any[]).filter((r) => r.agentId === agent.id);
    expect(runs).toHaveLength(3);
  }, 60_000);

  // Regression: a restart loses in-memory workflow tasks whose local activities already wrote rows.
  // Run ids now come from the wake's own id and the recorded rows win over the decision, so a
  // retried update finds its run again instead of colliding with or orphaning it.
  it("a Temporal dev-server restart mid-burst loses no wakeup and no run", async () => {
    const company = await api.createCompany("Chaos Temporal");
    const agents = await Promise.all(
      [0, 1, 2].map((k) =>
        api.createAgent(company.id, { name: `tr-${k}`, adapterConfig: sleeper(1), runtimeConfig: { heartbeat: { maxConcurrentRuns: 3 } } }),
      ),
    );
    const agentIds = agents.map((a) => a.id);
    // Bounds: every wake answered 202 within 45 s (+ one 30 s scheduler timeout in flight), every run
    // terminal within 90 s of the start — all inside the test's own timeout, so a failure says why.
    const started = Date.now();
    const wakes = burst("tr", agentIds, burstShape(agentIds.length, 1200), started + 45_000);

    // Mid-burst, just as a wave of wakes is in flight: SIGTERM the server and bring it back on the
    // same SQLite file and port.
    await sleep(1230);
    const downAt = Date.now();
    await server!.stop();
    server = await startDevServer(devServerOpts);
    const upAt = Date.now();

    const accepted = await wakes;
    // The outage really hit the burst: wakes were sent while the server was down.
    expect(sentDuring(accepted, downAt, upAt)).toBeGreaterThan(0);
    await expectNothingLostNothingDuplicated(company.id, agentIds, accepted, Math.max(10_000, started + 90_000 - Date.now()));

    // The worker kept serving on its own: a fresh wake after the restart runs promptly.
    const after = await api.wake(agentIds[0]!, { payload: { taskKey: "tr-after" }, idempotencyKey: "tr-after" });
    expect((await api.waitForRun(after.id, 20_000)).status).toBe("succeeded");
  }, 130_000);

  // Regressions: a connection cut by the restart once threw an uncaught exception from a checked-out
  // pg client, the log writer's timer flush left a rejection unhandled, and two runs of one agent
  // finishing together could leave it `running` (write skew, now a row lock).
  it("a Postgres restart mid-burst loses no wakeup and no run, and records one outcome per run", async () => {
    // What escapes to the process level here would kill a production Switchboard (Node's default for
    // both is to exit); vitest only reports it. Recorded so the test names it.
    const escaped: string[] = [];
    const onUncaught = (err: unknown) => escaped.push(`uncaughtException: ${err instanceof Error ? err.message : String(err)}`);
    const onUnhandled = (reason: unknown) => escaped.push(`unhandledRejection: ${reason instanceof Error ? reason.message : String(reason)}`);
    process.on("uncaughtException", onUncaught);
    process.on("unhandledRejection", onUnhandled);
    try {
      const company = await api.createCompany("Chaos Postgres");
      const agents = await Promise.all(
        [0, 1, 2].map((k) =>
          api.createAgent(company.id, { name: `pg-${k}`, adapterConfig: sleeper(1), runtimeConfig: { heartbeat: { maxConcurrentRuns: 3 } } }),
        ),
      );
      const agentIds = agents.map((a) => a.id);
      const started = Date.now();
      const wakes = burst("pg", agentIds, burstShape(agentIds.length, 1200), started + 45_000);

      // Mid-burst, with runs executing and a wave of wakes in flight: stop Postgres (fast shutdown,
      // every connection cut) and start it again on the same data directory and port.
      await sleep(1230);
      const downAt = Date.now();
      await pgServer!.stop();
      pgServer = await startPostgres();
      const upAt = Date.now();

      const accepted = await wakes;
      // The outage really hit the burst: wakes were sent while Postgres was down.
      expect(sentDuring(accepted, downAt, upAt)).toBeGreaterThan(0);
      await expectNothingLostNothingDuplicated(company.id, agentIds, accepted, Math.max(10_000, started + 90_000 - Date.now()));

      // Each agent's totals saw its runs finish and nothing else: last outcome succeeded, agent idle.
      for (const agentId of agentIds) {
        const state = (await api.get(`/api/agents/${agentId}/runtime-state`)).body;
        expect(state.lastRunStatus).toBe("succeeded");
        const agent = (await api.get(`/api/agents/${agentId}`)).body;
        expect.soft(agent.status, `agent ${agentId} has no run left running`).toBe("idle");
      }

      // The pool reconnected by itself: a fresh wake goes all the way.
      const after = await api.wake(agentIds[0]!, { payload: { taskKey: "pg-after" }, idempotencyKey: "pg-after" });
      expect((await api.waitForRun(after.id, 20_000)).status).toBe("succeeded");
      expect.soft(escaped, "errors that would have crashed a production process").toEqual([]);
    } finally {
      process.off("uncaughtException", onUncaught);
      process.off("unhandledRejection", onUnhandled);
    }
  }, 130_000);
});
