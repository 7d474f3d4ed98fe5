/**
 * Checkout and release over HTTP (Paperclip §4.4): the atomic conditional checkout under a 50-agent
 * race, idempotency for the owning run, adoption of unowned and stale locks, 409 details, the
 * "as itself" and run-id rules, and release.
 *
 * Agent runs: most tests use `heartbeat_runs` rows inserted as `running` (tests/fixtures/issues-db.ts).
 * A run id is only a valid X-Paperclip-Run-Id if it is a run of that agent, and a checkout held by
 * a *finished* run is stale and gets adopted — so the race needs 50 runs that stay running. Fifty
 * sleeping processes would cost the 2-core machine far more than they prove; one test below uses
 * real engine runs (sleeper.mjs) to show the same rules hold for them.
 */
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../db/connection.js";
import type { ApiClient } from "../helpers/api-client.js";
import { finishRun, insertRunningRun, openTestDb } from "../fixtures/issues-db.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";
import { waitFor } from "../helpers/wait.js";

let t: TestRuntime;
let db: Db;
let companyId: string;

const quiet = { adapterConfig: { command: process.execPath, args: ["-e", "0"] }, runtimeConfig: { heartbeat: { wakeOnDemand: false } } };

interface TestAgent {
  id: string;
  key: string;
  /** The agent acting from one of its runs. */
  from(runId: string): ApiClient;
}

async function newAgent(name: string, extra: Record<string, unknown> = {}): Promise<TestAgent> {
  const agent = await t.api.createAgent(companyId, { name, ...quiet, ...extra });
  const key = await t.api.createAgentKey(agent.id);
  return { id: agent.id, key, from: (runId: string) => t.api.as(key, { "x-paperclip-run-id": runId }) };
}

beforeAll(async () => {
  t = await startTestRuntime();
  db = openTestDb();
  companyId = (await t.api.createCompany("Checkout Corp")).id;
});
afterAll(async () => {
  await db?.destroy();
  await t?.stop();
});

const newIssue = async (body: Record<string, unknown> = {}) => (await t.api.post(`/api/companies/${companyId}/issues`, { title: "work", status: "todo", ...body })).body;
const row = (id: string) => db.selectFrom("issues").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
const checkout = (client: ApiClient, issueRef: string, agentId: string, expectedStatuses: string[] = ["todo", "backlog"]) =>
  client.post(`/api/issues/${issueRef}/checkout`, { agentId, expectedStatuses });

describe("the checkout race", () => {
  it("50 agents checking out one issue at once: exactly one wins, 49 get 409 — five times over", async () => {
    const agents = await Promise.all(Array.from({ length: 50 }, (_, i) => newAgent(`racer-${i}`)));
    const runs = await Promise.all(agents.map((a) => insertRunningRun(db, companyId, a.id)));
    for (let round = 0; round < 5; round++) {
      const issue = await newIssue({ title: `prize ${round}` });
      const results = await Promise.all(agents.map((a, i) => checkout(a.from(runs[i]!), issue.id, a.id)));
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 200), `round ${round}`).toHaveLength(1);
      expect(statuses.filter((s) => s === 409), `round ${round}`).toHaveLength(49);
      const winner = statuses.indexOf(200);
      const after = await row(issue.id);
      expect(after).toMatchObject({ status: "in_progress", assigneeAgentId: agents[winner]!.id, checkoutRunId: runs[winner], executionRunId: runs[winner] });
      const losers = results.filter((r) => r.status === 409);
      expect(losers.every((r) => r.body.error === "Issue checkout conflict" && r.body.details.assigneeAgentId === agents[winner]!.id && r.body.details.checkoutRunId === runs[winner])).toBe(true);
      const logged = await db.selectFrom("activity_log").select("action").where("entityId", "=", issue.id).where("action", "=", "issue.checked_out").execute();
      expect(logged).toHaveLength(1);
    }
  }, 120_000);

  it("real engine runs race the same way", async () => {
    const sleeper = { adapterConfig: { command: process.execPath, args: [path.resolve("tests/fixtures/sleeper.mjs"), "30"], cwd: os.tmpdir() }, runtimeConfig: {} };
    const a = await newAgent("live-a", sleeper);
    const b = await newAgent("live-b", sleeper);
    const [runA, runB] = await Promise.all([t.api.wake(a.id), t.api.wake(b.id)]);
    await Promise.all([runA, runB].map((r) => t.api.waitForRun(r!.id, 20_000, (x) => x.status === "running")));
    const issue = await newIssue();
    const results = await Promise.all([checkout(a.from(runA.id), issue.id, a.id), checkout(b.from(runB.id), issue.id, b.id)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    for (const r of [runA, runB]) await t.api.post(`/api/heartbeat-runs/${r.id}/cancel`, {});
  }, 60_000);
});

describe("checkout", () => {
  it("sets in_progress and the run locks; the same run again is a no-op; another agent gets 409 with details", async () => {
    const a = await newAgent("owner");
    const b = await newAgent("rival");
    const runA = await insertRunningRun(db, companyId, a.id);
    const runB = await insertRunningRun(db, companyId, b.id);
    const issue = await newIssue();
    const first = await checkout(a.from(runA), issue.identifier.toLowerCase(), a.id);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: "in_progress", assigneeAgentId: a.id, checkoutRunId: runA, executionRunId: runA, executionAgentNameKey: "owner" });
    expect(first.body.startedAt).not.toBeNull();

    const again = await checkout(a.from(runA), issue.id, a.id, ["todo"]);
    expect(again.status).toBe(200);
    expect(again.body.updatedAt).toBe(first.body.updatedAt);

    const rival = await checkout(b.from(runB), issue.id, b.id, ["todo", "in_progress"]);
    expect(rival.status).toBe(409);
    expect(rival.body).toMatchObject({
      error: "Issue checkout conflict",
      details: { issueId: issue.id, status: "in_progress", assigneeAgentId: a.id, checkoutRunId: runA, executionRunId: runA },
    });
    // The owner's second run (the first still running) is refused too: two live runs, one checkout.
    const runA2 = await insertRunningRun(db, companyId, a.id);
    expect((await checkout(a.from(runA2), issue.id, a.id, ["in_progress"])).status).toBe(409);
  });

  it("respects expectedStatuses", async () => {
    const a = await newAgent("picky");
    const run = await insertRunningRun(db, companyId, a.id);
    const issue = await newIssue({ status: "blocked" });
    expect((await checkout(a.from(run), issue.id, a.id, ["todo"])).status).toBe(409);
    expect((await row(issue.id)).status).toBe("blocked");
    expect((await checkout(a.from(run), issue.id, a.id, ["blocked"])).status).toBe(200);
  });

  it("adopts the agent's own stale checkout (finished run) and logs where it came from", async () => {
    const a = await newAgent("adopter");
    const old = await insertRunningRun(db, companyId, a.id);
    const issue = await newIssue();
    expect((await checkout(a.from(old), issue.id, a.id)).status).toBe(200);
    const next = await insertRunningRun(db, companyId, a.id);
    expect((await checkout(a.from(next), issue.id, a.id, ["todo"])).status).toBe(409); // old run still live
    await finishRun(db, old);
    const adopted = await checkout(a.from(next), issue.id, a.id, ["todo"]);
    expect(adopted.status).toBe(200);
    expect(adopted.body).toMatchObject({ checkoutRunId: next, executionRunId: next, status: "in_progress" });
    const log = await db.selectFrom("activity_log").select("details").where("entityId", "=", issue.id).where("action", "=", "issue.checked_out").orderBy("createdAt", "desc").executeTakeFirstOrThrow();
    expect(log.details).toMatchObject({ adoptedFromRunId: old });
  });

  it("adopts an unowned in-progress issue (board checkout) and a stale execution lock", async () => {
    const a = await newAgent("heir");
    const run = await insertRunningRun(db, companyId, a.id);
    const boardCheckedOut = await newIssue();
    const byBoard = await checkout(t.api, boardCheckedOut.id, a.id);
    expect(byBoard.body).toMatchObject({ status: "in_progress", assigneeAgentId: a.id, checkoutRunId: null, executionRunId: null });
    expect((await checkout(a.from(run), boardCheckedOut.id, a.id, ["todo"])).body).toMatchObject({ checkoutRunId: run });

    const finished = await insertRunningRun(db, companyId, a.id);
    await finishRun(db, finished, "failed");
    const staleLock = await newIssue();
    await db.updateTable("issues").set({ executionRunId: finished }).where("id", "=", staleLock.id).execute();
    const res = await checkout(a.from(run), staleLock.id, a.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ executionRunId: run, checkoutRunId: run });
  });

  it("a live execution lock of another run blocks checkout", async () => {
    const a = await newAgent("blocked-by-lock");
    const b = await newAgent("lock-holder");
    const run = await insertRunningRun(db, companyId, a.id);
    const holder = await insertRunningRun(db, companyId, b.id);
    const issue = await newIssue();
    await db.updateTable("issues").set({ executionRunId: holder }).where("id", "=", issue.id).execute();
    const res = await checkout(a.from(run), issue.id, a.id);
    expect(res.status).toBe(409);
    expect(res.body.details).toMatchObject({ executionRunId: holder, assigneeAgentId: null });
  });

  it("an agent checks out only as itself and only from a run; bad bodies are 400; nothing changes", async () => {
    const a = await newAgent("self");
    const b = await newAgent("other-self");
    const run = await insertRunningRun(db, companyId, a.id);
    const issue = await newIssue();
    const asOther = await checkout(a.from(run), issue.id, b.id);
    expect(asOther).toMatchObject({ status: 403, body: { error: "Agent can only checkout as itself" } });
    const noRun = await checkout(t.api.as(a.key), issue.id, a.id);
    expect(noRun).toMatchObject({ status: 401, body: { error: "Agent run id required" } });
    for (const body of [{}, { agentId: a.id }, { agentId: a.id, expectedStatuses: [] }, { agentId: "x", expectedStatuses: ["todo"] }, { agentId: a.id, expectedStatuses: ["nope"] }]) {
      expect((await a.from(run).post(`/api/issues/${issue.id}/checkout`, body)).status, JSON.stringify(body)).toBe(400);
    }
    // Someone else's run id in the header is refused before any checkout logic.
    const runB = await insertRunningRun(db, companyId, b.id);
    expect((await checkout(a.from(runB), issue.id, a.id)).status).toBe(403);
    const after = await row(issue.id);
    expect(after).toMatchObject({ status: "todo", assigneeAgentId: null, checkoutRunId: null });

    const elsewhere = await t.api.createCompany("Elsewhere Checkout");
    const foreign = (await t.api.post(`/api/companies/${elsewhere.id}/issues`, { title: "theirs", status: "todo" })).body;
    expect((await checkout(a.from(run), foreign.id, a.id)).status).toBe(404);
    expect((await row(foreign.id)).assigneeAgentId).toBeNull();
    // The board cannot hand an issue to another company's agent.
    const foreignAgent = (await t.api.createAgent(elsewhere.id, { name: "far", ...quiet })).id;
    expect((await checkout(t.api, issue.id, foreignAgent)).status).toBe(422);
  });

  it("the board checking out for an agent wakes it with issue_checked_out", async () => {
    const printer = { adapterConfig: { command: process.execPath, args: [path.resolve("tests/fixtures/print-wake-env.mjs")], cwd: os.tmpdir() }, runtimeConfig: {} };
    const a = await newAgent("handed-work", printer);
    const issue = await newIssue();
    expect((await checkout(t.api, issue.id, a.id)).status).toBe(200);
    const run = await waitFor("the checkout wake's run", async () => ((await t.api.get(`/api/companies/${companyId}/heartbeat-runs?agentId=${a.id}`)).body as any[])[0]);
    expect(run).toMatchObject({ invocationSource: "assignment", contextSnapshot: { issueId: issue.id, taskId: issue.id, wakeReason: "issue_checked_out", source: "issue.checkout" } });
    expect((await t.api.waitForRun(run.id)).status).toBe("succeeded");
  });
});

describe("release", () => {
  it("the assignee's run releases: assignee and locks cleared, in_progress back to todo", async () => {
    const a = await newAgent("releaser");
    const run = await insertRunningRun(db, companyId, a.id);
    const issue = await newIssue();
    await checkout(a.from(run), issue.id, a.id);
    const res = await a.from(run).post(`/api/issues/${issue.identifier}/release`, {});
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "todo", assigneeAgentId: null, checkoutRunId: null, executionRunId: null, executionAgentNameKey: null, executionLockedAt: null });
    const actions = (await db.selectFrom("activity_log").select("action").where("entityId", "=", issue.id).execute()).map((r) => r.action);
    expect(actions).toContain("issue.released");
  });

  it("only the assignee, from its checkout run (unless that run is over), or the board", async () => {
    const a = await newAgent("holder");
    const b = await newAgent("bystander");
    const run = await insertRunningRun(db, companyId, a.id);
    const otherRun = await insertRunningRun(db, companyId, a.id);
    const runB = await insertRunningRun(db, companyId, b.id);
    const issue = await newIssue();
    await checkout(a.from(run), issue.id, a.id);
    expect(await b.from(runB).post(`/api/issues/${issue.id}/release`, {})).toMatchObject({ status: 409, body: { error: "Only assignee can release issue" } });
    expect(await a.from(otherRun).post(`/api/issues/${issue.id}/release`, {})).toMatchObject({ status: 409, body: { error: "Only checkout run can release issue" } });
    expect((await t.api.as(a.key).post(`/api/issues/${issue.id}/release`, {})).status).toBe(401);
    expect(await row(issue.id)).toMatchObject({ status: "in_progress", assigneeAgentId: a.id, checkoutRunId: run });
    await finishRun(db, run);
    expect((await a.from(otherRun).post(`/api/issues/${issue.id}/release`, {})).status).toBe(200);

    const boardIssue = await newIssue({ assigneeAgentId: b.id, status: "blocked" });
    const released = await t.api.post(`/api/issues/${boardIssue.id}/release`, {});
    expect(released.body).toMatchObject({ status: "blocked", assigneeAgentId: null });
  });
});
