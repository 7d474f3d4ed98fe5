/**
 * The issue execution lock: two agents woken about the same issue never run on it at once. The
 * second run stays queued while the first holds the issue, then starts as soon as it is released —
 * and runs about other issues are not held back.
 */
import path from "node:path";
import os from "node:os";
import { afterAll, beforeAll, expect, it } from "vitest";
import { inject } from "vitest";
import { createDb, type Db } from "../../db/connection.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";

let t: TestRuntime;
let db: Db;
let companyId: string;

beforeAll(async () => {
  t = await startTestRuntime();
  db = createDb(inject("databaseUrl"), { maxConnections: 2 });
  companyId = (await t.api.createCompany("Lock Co")).id;
});
afterAll(async () => {
  await db?.destroy();
  await t?.stop();
});

// Issues are created straight in the table: this test is about the engine, not the issues API.
async function newIssue(title: string): Promise<string> {
  const row = await db.insertInto("issues").values({ companyId, title, status: "todo" }).returning("id").executeTakeFirstOrThrow();
  return row.id;
}

const sleeper = (secs: number) => ({ command: process.execPath, args: [path.resolve("tests/fixtures/sleeper.mjs"), String(secs)], cwd: os.tmpdir() });

it("a second agent's run on a locked issue waits, queued, and starts when the holder finishes", async () => {
  const issueId = await newIssue("shared work");
  const a = await t.api.createAgent(companyId, { name: "lock-a", adapterConfig: sleeper(2) });
  const b = await t.api.createAgent(companyId, { name: "lock-b", adapterConfig: sleeper(0) });

  const runA = await t.api.wake(a.id, { source: "automation", reason: "issue_assigned", payload: { issueId } });
  await t.api.waitForRun(runA.id, 10_000, (r) => r.status === "running");
  const issue = await db.selectFrom("issues").select(["executionRunId"]).where("id", "=", issueId).executeTakeFirstOrThrow();
  expect(issue.executionRunId).toBe(runA.id);

  const runB = await t.api.wake(b.id, { source: "automation", reason: "issue_comment_mentioned", payload: { issueId } });
  // While A holds the issue, B's run stays queued (B is otherwise idle: nothing else holds it back).
  await new Promise((r) => setTimeout(r, 1000));
  expect((await t.api.get(`/api/heartbeat-runs/${runB.id}`)).body.status).toBe("queued");

  const doneA = await t.api.waitForRun(runA.id, 15_000);
  const doneB = await t.api.waitForRun(runB.id, 15_000);
  expect(doneA.status).toBe("succeeded");
  expect(doneB.status).toBe("succeeded");
  expect(new Date(doneB.startedAt).getTime()).toBeGreaterThanOrEqual(new Date(doneA.finishedAt).getTime());
  // Released after B, too.
  const after = await db.selectFrom("issues").select(["executionRunId"]).where("id", "=", issueId).executeTakeFirstOrThrow();
  expect(after.executionRunId).toBeNull();
});

it("a lock held by a run that is no longer active does not block", async () => {
  const issueId = await newIssue("stale lock");
  const a = await t.api.createAgent(companyId, { name: "stale-a", adapterConfig: sleeper(0) });
  const first = await t.api.waitForRun((await t.api.wake(a.id, { payload: { taskKey: "other" } })).id);
  // As if the lock had been left behind by a crash: it names a finished run.
  await db.updateTable("issues").set({ executionRunId: first.id }).where("id", "=", issueId).execute();
  const b = await t.api.createAgent(companyId, { name: "stale-b", adapterConfig: sleeper(0) });
  const run = await t.api.waitForRun((await t.api.wake(b.id, { payload: { issueId } })).id, 10_000);
  expect(run.status).toBe("succeeded");
});

it("runs on other issues are not held back, and cancelling a waiting run ends it at once", async () => {
  const locked = await newIssue("long work");
  const free = await newIssue("other work");
  const a = await t.api.createAgent(companyId, { name: "long-a", adapterConfig: sleeper(30) });
  const b = await t.api.createAgent(companyId, { name: "free-b", adapterConfig: sleeper(0), runtimeConfig: { heartbeat: { maxConcurrentRuns: 2 } } });
  const runA = await t.api.wake(a.id, { payload: { issueId: locked } });
  await t.api.waitForRun(runA.id, 10_000, (r) => r.status === "running");
  const waiting = await t.api.wake(b.id, { payload: { issueId: locked } });
  const other = await t.api.waitForRun((await t.api.wake(b.id, { payload: { issueId: free } })).id, 10_000);
  expect(other.status).toBe("succeeded");
  expect((await t.api.get(`/api/heartbeat-runs/${waiting.id}`)).body.status).toBe("queued");

  expect((await t.api.post(`/api/heartbeat-runs/${waiting.id}/cancel`)).status).toBe(200);
  expect((await t.api.waitForRun(waiting.id, 5_000)).status).toBe("cancelled");
  await t.api.post(`/api/heartbeat-runs/${runA.id}/cancel`);
  expect((await t.api.waitForRun(runA.id, 15_000)).status).toBe("cancelled");
});
