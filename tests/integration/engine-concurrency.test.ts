/**
 * Concurrency under a burst: hundreds of wakeups at many agents at once never exceed an agent's
 * maxConcurrentRuns nor the worker's global process cap, nothing is lost, and waiting work starts
 * in the order it was admitted.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";
import { TERMINAL_RUN_STATUSES } from "../helpers/api-client.js";
import { maxOverlap, waitFor } from "../helpers/wait.js";

const GLOBAL_CAP = 4;
let t: TestRuntime;
let companyId: string;
const spanFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sb-spans-")), "spans.ndjson");

beforeAll(async () => {
  t = await startTestRuntime({ env: { SWITCHBOARD_MAX_CONCURRENT_PROCESSES: String(GLOBAL_CAP) } });
  companyId = (await t.api.createCompany("Burst Co")).id;
});
afterAll(async () => t?.stop());

type Span = { agent: string; run: string; task: string | null; start: number; end: number };
const readSpans = (): Span[] => (fs.existsSync(spanFile) ? fs.readFileSync(spanFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)) : []);

it("200 simultaneous wakeups at 20 agents: per-agent limits and the global cap hold, every run finishes", async () => {
  const agents = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      t.api.createAgent(companyId, {
        name: `burst-${i}`,
        adapterConfig: { command: path.resolve("tests/fixtures/span.mjs"), args: [spanFile, "150"], cwd: os.tmpdir() },
        runtimeConfig: { heartbeat: { maxConcurrentRuns: i < 10 ? 1 : 3 } },
      }),
    ),
  );
  const limitOf = new Map(agents.map((a, i) => [a.id, i < 10 ? 1 : 3]));
  // Distinct task keys: nothing coalesces, so every wake must become a run.
  const results = await Promise.all(
    agents.flatMap((a) => Array.from({ length: 10 }, (_, k) => t.api.request("POST", `/api/agents/${a.id}/wakeup`, { payload: { taskKey: `task-${k}` } }))),
  );
  expect(results.map((r) => r.status)).toEqual(Array(200).fill(202));
  const runIds = new Set(results.map((r) => r.body.id as string));
  expect(runIds.size).toBe(200);

  // One list request per poll (not 200 pollers): the test must not starve the server it measures.
  const finished = await waitFor(
    "all 200 runs to finish",
    async () => {
      const runs = ((await t.api.get(`/api/companies/${companyId}/heartbeat-runs?limit=1000`)).body as any[]).filter((r) => runIds.has(r.id));
      return runs.length === 200 && runs.every((r) => TERMINAL_RUN_STATUSES.includes(r.status)) ? runs : undefined;
    },
    120_000,
    250,
  );
  expect(finished.filter((r) => r.status !== "succeeded")).toEqual([]);

  const spans = readSpans().filter((s) => limitOf.has(s.agent));
  expect(spans).toHaveLength(200);
  for (const [agentId, limit] of limitOf) {
    const mine = spans.filter((s) => s.agent === agentId);
    expect(mine).toHaveLength(10);
    expect(maxOverlap(mine)).toBeLessThanOrEqual(limit);
  }
  // The cap held, and was really reached (so the limits above were exercised, not idle).
  expect(maxOverlap(spans)).toBeLessThanOrEqual(GLOBAL_CAP);
  expect(maxOverlap(spans)).toBe(GLOBAL_CAP);
  const threeWide = agents.slice(10).map((a) => maxOverlap(spans.filter((s) => s.agent === a.id)));
  expect(Math.max(...threeWide)).toBeGreaterThan(1);
}, 180_000);

it("waiting work starts in the order it was admitted", async () => {
  const agent = await t.api.createAgent(companyId, {
    name: "fifo",
    adapterConfig: { command: path.resolve("tests/fixtures/span.mjs"), args: [spanFile, "100"], cwd: os.tmpdir() },
  });
  const order: string[] = [];
  for (let k = 0; k < 6; k++) order.push((await t.api.wake(agent.id, { payload: { taskKey: `fifo-${k}` } })).id);
  const runs = await Promise.all(order.map((id) => t.api.waitForRun(id)));
  const byStart = [...runs].sort((a, b) => Date.parse(a.processStartedAt) - Date.parse(b.processStartedAt)).map((r) => r.id);
  expect(byStart).toEqual(order);
});
