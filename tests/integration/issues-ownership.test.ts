/**
 * Who may change an issue when the caller is an agent (Paperclip §4.5): unassigned issues are open
 * to the company's agents; another agent's issue only to its managers and the CEO; an agent's own
 * in-progress issue only from the run that checked it out — a finished run's checkout is adopted.
 * Agent runs are `running` rows inserted directly (see issues-checkout.test.ts for why).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../db/connection.js";
import { finishRun, insertRunningRun, openTestDb } from "../fixtures/issues-db.js";
import type { ApiClient } from "../helpers/api-client.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";

let t: TestRuntime;
let db: Db;
let companyId: string;

const quiet = { adapterConfig: { command: process.execPath, args: ["-e", "0"] }, runtimeConfig: { heartbeat: { wakeOnDemand: false } } };

interface Actor {
  id: string;
  key: string;
  run: string;
  api: ApiClient;
}

async function agent(name: string, extra: Record<string, unknown> = {}): Promise<Actor> {
  const created = await t.api.createAgent(companyId, { name, ...quiet, ...extra });
  const key = await t.api.createAgentKey(created.id);
  const run = await insertRunningRun(db, companyId, created.id);
  return { id: created.id, key, run, api: t.api.as(key, { "x-paperclip-run-id": run }) };
}

let ceo: Actor;
let manager: Actor;
let worker: Actor;
let peer: Actor;

beforeAll(async () => {
  t = await startTestRuntime();
  db = openTestDb();
  companyId = (await t.api.createCompany("Ownership Org")).id;
  ceo = await agent("boss", { role: "ceo" });
  manager = await agent("lead");
  worker = await agent("dev");
  peer = await agent("peer");
  // boss ← lead ← dev; peer reports to nobody.
  await t.api.patch(`/api/agents/${manager.id}`, { reportsTo: ceo.id });
  await t.api.patch(`/api/agents/${worker.id}`, { reportsTo: manager.id });
});
afterAll(async () => {
  await db?.destroy();
  await t?.stop();
});

const newIssue = async (body: Record<string, unknown> = {}) => (await t.api.post(`/api/companies/${companyId}/issues`, { title: "task", ...body })).body;
const row = (id: string) => db.selectFrom("issues").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
const actions = async (id: string) => (await db.selectFrom("activity_log").select("action").where("entityId", "=", id).orderBy("createdAt").execute()).map((r) => r.action);

describe("another agent's issue", () => {
  it("a peer gets 403 and nothing changes; the manager chain and the CEO may edit it", async () => {
    const issue = await newIssue({ assigneeAgentId: worker.id });
    const refused = await peer.api.patch(`/api/issues/${issue.id}`, { title: "hijacked", comment: "mine" });
    expect(refused).toMatchObject({ status: 403, body: { error: "Agent cannot mutate another agent's issue" } });
    expect((await row(issue.id)).title).toBe("task");
    expect(await db.selectFrom("issue_comments").select("id").where("issueId", "=", issue.id).execute()).toHaveLength(0);

    expect((await manager.api.patch(`/api/issues/${issue.id}`, { priority: "high" })).status).toBe(200);
    expect((await ceo.api.patch(`/api/issues/${issue.id}`, { priority: "critical" })).status).toBe(200);
    // The chain runs upward only: a worker cannot edit its manager's issue.
    const managers = await newIssue({ assigneeAgentId: manager.id });
    expect((await worker.api.patch(`/api/issues/${managers.id}`, { priority: "low" })).status).toBe(403);
  });

  it("unassigned issues are open to any agent of the company, with or without a run", async () => {
    const issue = await newIssue();
    expect((await t.api.as(peer.key).patch(`/api/issues/${issue.id}`, { description: "triaged" })).status).toBe(200);
  });
});

describe("the agent's own in-progress issue", () => {
  it("needs the run id (401), and the checkout run (409) while that run is live", async () => {
    const issue = await newIssue();
    expect((await worker.api.post(`/api/issues/${issue.id}/checkout`, { agentId: worker.id, expectedStatuses: ["backlog"] })).status).toBe(200);
    const noRun = await t.api.as(worker.key).patch(`/api/issues/${issue.id}`, { status: "in_review" });
    expect(noRun).toMatchObject({ status: 401, body: { error: "Agent run id required" } });
    const secondRun = await insertRunningRun(db, companyId, worker.id);
    const wrongRun = await t.api.as(worker.key, { "x-paperclip-run-id": secondRun }).patch(`/api/issues/${issue.id}`, { status: "in_review" });
    expect(wrongRun).toMatchObject({ status: 409, body: { error: "Issue run ownership conflict", details: { checkoutRunId: worker.run, actorRunId: secondRun } } });
    expect(await row(issue.id)).toMatchObject({ status: "in_progress", checkoutRunId: worker.run });
    // The checkout run itself may.
    expect((await worker.api.patch(`/api/issues/${issue.id}`, { description: "progress" })).status).toBe(200);
  });

  it("a finished run's checkout is adopted by the next run (issue.checkout_lock_adopted)", async () => {
    const first = await insertRunningRun(db, companyId, worker.id);
    const asFirst = t.api.as(worker.key, { "x-paperclip-run-id": first });
    const issue = await newIssue();
    await asFirst.post(`/api/issues/${issue.id}/checkout`, { agentId: worker.id, expectedStatuses: ["backlog"] });
    await finishRun(db, first);
    const next = await insertRunningRun(db, companyId, worker.id);
    const res = await t.api.as(worker.key, { "x-paperclip-run-id": next }).patch(`/api/issues/${issue.id}`, { comment: "picking this up again" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ checkoutRunId: next, executionRunId: next, comment: { authorAgentId: worker.id } });
    expect(await actions(issue.id)).toEqual(["issue.created", "issue.checked_out", "issue.checkout_lock_adopted", "issue.comment_added"]);
  });

  it("an in-progress issue never checked out by a run is adopted too", async () => {
    const issue = await newIssue({ assigneeAgentId: worker.id, status: "in_progress" });
    const res = await worker.api.patch(`/api/issues/${issue.id}`, { status: "done" });
    expect(res.status).toBe(200);
    // done clears the locks it just adopted, as any status but in_progress does.
    expect(res.body).toMatchObject({ status: "done", checkoutRunId: null });
    expect(await actions(issue.id)).toContain("issue.checkout_lock_adopted");
  });

  it("comments from an agent need a run id; on its own in-progress issue, the checkout run", async () => {
    const issue = await newIssue();
    await worker.api.post(`/api/issues/${issue.id}/checkout`, { agentId: worker.id, expectedStatuses: ["backlog"] });
    expect((await t.api.as(peer.key).post(`/api/issues/${issue.id}/comments`, { body: "hi" })).status).toBe(401);
    const other = await insertRunningRun(db, companyId, worker.id);
    expect((await t.api.as(worker.key, { "x-paperclip-run-id": other }).post(`/api/issues/${issue.id}/comments`, { body: "from elsewhere" })).status).toBe(409);
    // Another agent may comment on it from its run (that is how agents talk to each other).
    expect((await peer.api.post(`/api/issues/${issue.id}/comments`, { body: "fyi" })).status).toBe(201);
    expect((await worker.api.post(`/api/issues/${issue.id}/comments`, { body: "on it" })).status).toBe(201);
    expect(await db.selectFrom("issue_comments").select("body").where("issueId", "=", issue.id).orderBy("createdAt").execute()).toEqual([{ body: "fyi" }, { body: "on it" }]);
  });
});
