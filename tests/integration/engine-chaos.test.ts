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

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sb-chaos-"));
  pgDataDir = path.join(tmp, "pg", "data");
  pgPort = await freePort();
  devServerOpts = {
    cliPath: inject("temporalCliPath"),
    dbFile: path.join(tmp, "temporal", "temporal.sqlite"),
    port: await freeDevServerPort(),
    uiPort: 0,
    logFile: path.join(tmp, "temporal.log"),
    // Continue-as-new is suggested after a few dozen events instead of thousands.
    dynamicConfig: { "limit.historyCount.suggestContinueAsNew": 40 },
  };
  fs.mkdirSync(path.dirname(devServerOpts.dbFile), { recursive: true });
  [server, pgServer] = await Promise.all([startDevServer(devServerOpts), startEmbeddedPostgres({ dataDir: pgDataDir, port: pgPort })]);

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
  await runtime?.stop().catch(() => undefined);
  await temporalConnection?.close().catch(() => undefined);
  await server?.stop().catch(() => undefined);
  await pgServer?.stop().catch(() => undefined);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}, 60_000);

// ---------------------------------------------------------------------------------------------
// Helpers

/** Runs `fn` over `items` with at most `concurrency` calls in flight (a sliding window, not batches). */
async function pool<T, R>(items: T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(lanes);
  return out;
}

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
async function waitForTerminalRuns(companyId: string, expectedIds: Set<string>, timeoutMs: number): Promise<any[]> {
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
    const pending = last.filter((r) => !TERMINAL_RUN_STATUSES.includes(r.status)).map((r) => ({ id: r.id, status: r.status }));
    throw new Error(`${(err as Error).message}; not terminal: ${JSON.stringify(pending)}`);
  }
}

/** Every run in the list, every wake row, checked against the keys the client got a 202 for. */
async function expectNothingLostNothingDuplicated(companyId: string, agentIds: string[], accepted: AcceptedWake[], settleMs: number) {
  // Each key got exactly one 202 (the client stops at the first), so keys ↔ runs must be 1:1.
  const runIds = new Set(accepted.map((a) => a.runId));
  expect(runIds.size).toBe(accepted.length);

  const all = await waitForTerminalRuns(companyId, runIds, settleMs);
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

/** Fires `count` wakes spread over time across agents, each with a distinct key and task. */
function burst(prefix: string, agentIds: string[], count: number, spacingMs: number, deadlineMs: number): Promise<AcceptedWake[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      await sleep(i * spacingMs);
      return wakeUntilAccepted(agentIds[i % agentIds.length]!, `${prefix}-key-${i}`, `${prefix}-task-${i}`, deadlineMs);
    }),
  );
}

const sentDuring = (accepted: AcceptedWake[], from: number, to: number) =>
  accepted.flatMap((a) => a.attempts).filter((t) => t.sentAt >= from && t.sentAt <= to).length;

// ---------------------------------------------------------------------------------------------

describe("engine chaos (private Temporal dev server and Postgres)", () => {
  it("continue-as-new while wakes are in flight loses nothing and duplicates nothing", async () => {
    const company = await api.createCompany("Chaos CAN");
    const agent = await api.createAgent(company.id, { name: "can-agent", adapterConfig: { command: "/bin/true", args: [], cwd: os.tmpdir() } });

    // 60 logical wakes with distinct tasks (nothing coalesces). Every third carries an idempotency
    // key; every sixth is sent twice — half of those at once, half again ~12 sends later (after
    // the workflow has likely continued-as-new, so the key must have been carried).
    type Send = { i: number; taskKey: string; idempotencyKey?: string };
    const sends: Send[] = [];
    const late: Array<{ at: number; send: Send }> = [];
    for (let i = 0; i < 60; i++) {
      const send: Send = { i, taskKey: `can-task-${i}`, ...(i % 3 === 0 ? { idempotencyKey: `can-key-${i}` } : {}) };
      sends.push(send);
      if (i % 6 === 0) {
        if ((i / 6) % 2 === 0) sends.push({ ...send });
        else late.push({ at: sends.length + 12, send: { ...send } });
      }
    }
    for (const { at, send } of late.sort((a, b) => b.at - a.at)) sends.splice(Math.min(at, sends.length), 0, send);
    expect(sends).toHaveLength(70);

    const first = await api.request("POST", `/api/agents/${agent.id}/wakeup`, { payload: { taskKey: "can-first" } });
    expect(first.status).toBe(202);
    const handle = temporal.workflow.getHandle(`agent/${agent.id}`);
    const firstRunId = (await handle.describe()).runId;

    const results = await pool(sends, 6, async (s) => {
      const res = await api.request("POST", `/api/agents/${agent.id}/wakeup`, {
        payload: { taskKey: s.taskKey },
        ...(s.idempotencyKey ? { idempotencyKey: s.idempotencyKey } : {}),
      });
      return { send: s, status: res.status, runId: res.body?.id as string | undefined, body: res.body };
    });
    expect(results.filter((r) => r.status !== 202).map((r) => ({ i: r.send.i, status: r.status, body: r.body }))).toEqual([]);

    // Each logical wake (by index) got exactly one run id, and each key exactly one.
    const runOfWake = new Map<number, Set<string>>();
    for (const r of results) runOfWake.set(r.send.i, (runOfWake.get(r.send.i) ?? new Set()).add(r.runId!));
    expect([...runOfWake.entries()].filter(([, ids]) => ids.size !== 1)).toEqual([]);
    const runIds = new Set([first.body.id as string, ...results.map((r) => r.runId!)]);
    expect(runIds.size).toBe(61);

    const all = await waitForTerminalRuns(company.id, runIds, 60_000);
    const mine = all.filter((r) => r.agentId === agent.id);
    expect(mine.map((r) => r.id).sort()).toEqual([...runIds].sort());
    expect(mine.filter((r) => r.status !== "succeeded").map((r) => ({ id: r.id, status: r.status, error: r.error }))).toEqual([]);
    const rows = (await api.get(`/api/agents/${agent.id}/wakeup-requests?limit=1000`)).body as any[];
    // Duplicates are answered from the remembered key and leave no row: one row per logical wake.
    expect(rows).toHaveLength(61);
    expect(rows.filter((r) => r.status !== "completed" || !runIds.has(r.runId))).toEqual([]);

    // It really continued-as-new (several times), and the current run still answers queries.
    const executions = await waitFor(
      "the agent workflow's executions in visibility",
      async () => {
        const list = [];
        for await (const wf of temporal.workflow.list({ query: `WorkflowId = 'agent/${agent.id}'` })) list.push(wf);
        return list.filter((wf) => wf.status.name === "CONTINUED_AS_NEW").length >= 2 ? list : undefined;
      },
      15_000,
      250,
    );
    expect(executions.length).toBeGreaterThanOrEqual(3);
    const current = await handle.describe();
    expect(current.status.name).toBe("RUNNING");
    expect(current.runId).not.toBe(firstRunId);
    const state = await waitFor(
      "an idle agent workflow",
      async () => {
        const s = await handle.query<AgentStateSnapshot>("state");
        return s.queue.queued.length === 0 && s.queue.running.length === 0 ? s : undefined;
      },
      10_000,
      200,
    );
    expect(state).toMatchObject({ agentId: agent.id, paused: false, terminated: false });
    // Keys survived continue-as-new: a repeat now still answers with the run it produced.
    const again = await api.request("POST", `/api/agents/${agent.id}/wakeup`, { payload: { taskKey: "can-task-3" }, idempotencyKey: "can-key-3" });
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(results.find((r) => r.send.i === 3)!.runId);
  }, 90_000);

  it("a Temporal dev-server restart mid-burst loses no wakeup and no run", async () => {
    const company = await api.createCompany("Chaos Temporal");
    const agents = await Promise.all(
      [0, 1, 2].map((k) =>
        api.createAgent(company.id, { name: `tr-${k}`, adapterConfig: sleeper(1), runtimeConfig: { heartbeat: { maxConcurrentRuns: 3 } } }),
      ),
    );
    const agentIds = agents.map((a) => a.id);
    const started = Date.now();
    const deadline = started + 60_000;
    const wakes = burst("tr", agentIds, 30, 100, deadline);

    // Mid-burst: SIGTERM the server and bring it back on the same SQLite file and port.
    await sleep(1200);
    const downAt = Date.now();
    await server!.stop();
    server = await startDevServer(devServerOpts);
    const upAt = Date.now();

    const accepted = await wakes;
    // The outage really hit the burst: wakes were sent while the server was down.
    expect(sentDuring(accepted, downAt, upAt)).toBeGreaterThan(0);
    await expectNothingLostNothingDuplicated(company.id, agentIds, accepted, 60_000);
    expect(Date.now() - upAt).toBeLessThan(70_000);

    // The worker kept serving on its own: a fresh wake after the restart runs promptly.
    const after = await api.wake(agentIds[0]!, { payload: { taskKey: "tr-after" }, idempotencyKey: "tr-after" });
    expect((await api.waitForRun(after.id, 20_000)).status).toBe("succeeded");
  }, 100_000);

  it("a Postgres restart mid-burst loses no wakeup and no run, and records one outcome per run", async () => {
    const company = await api.createCompany("Chaos Postgres");
    const agents = await Promise.all(
      [0, 1, 2].map((k) =>
        api.createAgent(company.id, { name: `pg-${k}`, adapterConfig: sleeper(1), runtimeConfig: { heartbeat: { maxConcurrentRuns: 3 } } }),
      ),
    );
    const agentIds = agents.map((a) => a.id);
    const started = Date.now();
    const deadline = started + 60_000;
    const wakes = burst("pg", agentIds, 30, 100, deadline);

    await sleep(1200);
    const downAt = Date.now();
    await pgServer!.stop();
    pgServer = await startEmbeddedPostgres({ dataDir: pgDataDir, port: pgPort });
    const upAt = Date.now();

    const accepted = await wakes;
    expect(sentDuring(accepted, downAt, upAt)).toBeGreaterThan(0);
    await expectNothingLostNothingDuplicated(company.id, agentIds, accepted, 60_000);

    // One terminal outcome per run: each agent's last recorded run is one of its own, finished.
    for (const agentId of agentIds) {
      const state = (await api.get(`/api/agents/${agentId}/runtime-state`)).body;
      expect(state.lastRunStatus).toBe("succeeded");
      const agent = (await api.get(`/api/agents/${agentId}`)).body;
      expect(agent.status).toBe("idle");
    }

    const after = await api.wake(agentIds[0]!, { payload: { taskKey: "pg-after" }, idempotencyKey: "pg-after" });
    expect((await api.waitForRun(after.id, 20_000)).status).toBe("succeeded");
  }, 100_000);
});
