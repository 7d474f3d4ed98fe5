/**
 * What an agent reads at the start of a heartbeat: GET /agents/me (identity, chain of command,
 * month-to-date spend), GET /agents/me/inbox-lite, GET /issues/:id/heartbeat-context — and the
 * list and inbox staying single indexed queries with 10,000 issues in the company.
 */
import { sql, type RawBuilder } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../db/connection.js";
import { inboxSql, issueListSql } from "../../db/queries/issues.js";
import { bulkInsertIssues, finishRun, insertGoal, insertProject, insertRunningRun, openTestDb } from "../fixtures/issues-db.js";
import type { ApiClient } from "../helpers/api-client.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";

let t: TestRuntime;
let db: Db;
let companyId: string;
let ceoId: string;
let leadId: string;
let me: { id: string; api: ApiClient; run: string };

const quiet = { adapterConfig: { command: process.execPath, args: ["-e", "0"] }, runtimeConfig: { heartbeat: { wakeOnDemand: false } } };

beforeAll(async () => {
  t = await startTestRuntime();
  db = openTestDb();
  companyId = (await t.api.createCompany("Context Co")).id;
  ceoId = (await t.api.createAgent(companyId, { name: "chief", role: "ceo", ...quiet })).id;
  leadId = (await t.api.createAgent(companyId, { name: "lead", reportsTo: ceoId, ...quiet })).id;
  const id = (await t.api.createAgent(companyId, { name: "me", reportsTo: leadId, ...quiet })).id;
  const run = await insertRunningRun(db, companyId, id);
  me = { id, run, api: t.api.as(await t.api.createAgentKey(id), { "x-paperclip-run-id": run }) };
});
afterAll(async () => {
  await db?.destroy();
  await t?.stop();
});

const newIssue = async (body: Record<string, unknown>) => (await t.api.post(`/api/companies/${companyId}/issues`, { title: "ctx", ...body })).body;

describe("GET /agents/me", () => {
  it("the agent, its chain of command (nearest manager first) and this month's spend from the ledger", async () => {
    const cost = (cents: number, occurredAt: unknown) => ({ companyId, agentId: me.id, provider: "test", model: "m", costCents: cents, occurredAt: occurredAt as Date });
    await db.insertInto("cost_events").values([cost(150, sql`now()`), cost(25, sql`now()`), cost(9999, sql`now() - interval '45 days'`)]).execute();
    const res = await me.api.get("/api/agents/me");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: me.id, companyId, name: "me", reportsTo: leadId, spentMonthlyCents: 175 });
    expect(res.body.chainOfCommand).toEqual([
      { id: leadId, name: "lead", role: "engineer", title: null },
      { id: ceoId, name: "chief", role: "ceo", title: null },
    ]);
  });

  it("is for agents only", async () => {
    expect(await t.api.get("/api/agents/me")).toMatchObject({ status: 401, body: { error: "Agent authentication required" } });
    expect((await t.api.get("/api/agents/me/inbox-lite")).status).toBe(401);
  });
});

describe("GET /agents/me/inbox-lite", () => {
  it("my todo / in_progress / blocked issues, compact, with the active execution run", async () => {
    const todo = await newIssue({ assigneeAgentId: me.id, priority: "low" });
    const working = await newIssue({ assigneeAgentId: me.id });
    await me.api.post(`/api/issues/${working.id}/checkout`, { agentId: me.id, expectedStatuses: ["todo"] });
    const blocked = await newIssue({ assigneeAgentId: me.id, status: "blocked" });
    const staleRun = await insertRunningRun(db, companyId, me.id);
    await finishRun(db, staleRun);
    await db.updateTable("issues").set({ executionRunId: staleRun }).where("id", "=", blocked.id).execute();
    await newIssue({ assigneeAgentId: me.id, status: "done" });
    await newIssue({ assigneeAgentId: me.id, status: "backlog" });
    await newIssue({ assigneeAgentId: leadId });

    const inbox = (await me.api.get("/api/agents/me/inbox-lite")).body as any[];
    expect(inbox.map((i) => i.id)).toEqual([working.id, todo.id, blocked.id]); // in progress first
    expect(Object.keys(inbox[0]).sort()).toEqual(["activeRun", "goalId", "id", "identifier", "parentId", "priority", "projectId", "status", "title", "updatedAt"]);
    expect(inbox[0].activeRun).toEqual({ id: me.run, status: "running" });
    expect(inbox[1].activeRun).toBeNull();
    expect(inbox[2].activeRun).toBeNull(); // a finished run's lock is not an active run
  });
});

describe("GET /issues/:id/heartbeat-context", () => {
  it("issue, ancestors, project, goal, comment cursor and the waking comment", async () => {
    const goalId = await insertGoal(db, companyId, "Grow");
    const projectId = await insertProject(db, companyId, "Core", goalId);
    const parent = await newIssue({ title: "epic", projectId });
    const issue = await newIssue({ title: "story", parentId: parent.id, projectId, goalId });
    const empty = (await me.api.get(`/api/issues/${issue.identifier.toLowerCase()}/heartbeat-context`)).body;
    expect(empty).toMatchObject({
      issue: { id: issue.id, title: "story" },
      ancestors: [{ id: parent.id, identifier: parent.identifier, project: { id: projectId } }],
      project: { id: projectId, name: "Core" },
      goal: { id: goalId, title: "Grow" },
      commentCursor: { totalComments: 0, latestCommentId: null, latestCommentAt: null },
      wakeComment: null,
    });
    const first = (await t.api.post(`/api/issues/${issue.id}/comments`, { body: "first" })).body;
    const second = (await t.api.post(`/api/issues/${issue.id}/comments`, { body: "second" })).body;
    const ctx = (await me.api.get(`/api/issues/${issue.id}/heartbeat-context?wakeCommentId=${first.id}`)).body;
    expect(ctx.commentCursor).toEqual({ totalComments: 2, latestCommentId: second.id, latestCommentAt: second.createdAt });
    expect(ctx.wakeComment).toMatchObject({ id: first.id, body: "first" });

    expect((await me.api.get(`/api/issues/${issue.id}/heartbeat-context?wakeCommentId=nope`)).status).toBe(400);
    const elsewhere = await t.api.createCompany("Context Elsewhere");
    const foreign = (await t.api.post(`/api/companies/${elsewhere.id}/issues`, { title: "hidden" })).body;
    expect((await me.api.get(`/api/issues/${foreign.id}/heartbeat-context`)).status).toBe(404);
  });
});

describe("10,000 issues", () => {
  it("list and inbox answer from indexes (EXPLAIN), return the right rows, and numbering continues", async () => {
    const big = await t.api.createCompany("Big Backlog");
    const worker = (await t.api.createAgent(big.id, { name: "grinder", ...quiet })).id;
    const statuses = ["todo", "in_progress", "blocked", "done", "backlog"];
    await bulkInsertIssues(db, big.id, 10_000, (i) => ({ status: statuses[i % 5]!, assigneeAgentId: i % 100 < 3 ? worker : null }));

    const page = (await t.api.get(`/api/companies/${big.id}/issues`)).body as any[];
    expect(page).toHaveLength(500);
    const times = page.map((i) => new Date(i.updatedAt).getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect((await t.api.get(`/api/companies/${big.id}/issues?limit=1000&offset=9500`)).body).toHaveLength(500);
    const mine = (await t.api.get(`/api/companies/${big.id}/issues?assigneeAgentId=${worker}&status=todo,in_progress`)).body as any[];
    expect(mine).toHaveLength(200);
    const key = await t.api.createAgentKey(worker);
    expect((await t.api.as(key).get("/api/agents/me/inbox-lite")).body).toHaveLength(300);

    const base = { limit: 500, offset: 0, sortField: "updatedAt" as const, sortDir: "desc" as const };
    const explain = async (query: RawBuilder<unknown>) =>
      ((await sql`explain ${query}`.execute(db)).rows as Array<Record<string, unknown>>).map((r) => String(Object.values(r)[0])).join("\n");
    const plans = [
      await explain(issueListSql(big.id, base)),
      await explain(issueListSql(big.id, { ...base, assigneeAgentId: worker, statuses: ["todo", "in_progress"] })),
      await explain(issueListSql(big.id, { ...base, statuses: ["blocked"] })),
      await explain(inboxSql(big.id, worker)),
    ];
    for (const plan of plans) expect(plan, plan).not.toMatch(/Seq Scan on issues/);

    const next = (await t.api.post(`/api/companies/${big.id}/issues`, { title: "after the import" })).body;
    expect(next.issueNumber).toBe(10_001);
  }, 60_000);
});
