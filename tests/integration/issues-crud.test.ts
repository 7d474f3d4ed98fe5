/**
 * Issues over HTTP: create (identifiers, defaults, references, assignee rules), get by id or
 * identifier with ancestors/project/goal, list filters and sorting, PATCH side effects, delete —
 * and the refusals: other company → 404, malformed → 400, semantic → 422, nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../db/connection.js";
import { insertBoardMember, insertGoal, insertLabel, insertProject, insertRunningRun, openTestDb } from "../fixtures/issues-db.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";

let t: TestRuntime;
let db: Db;
let co: { id: string; issuePrefix: string };
let other: { id: string; issuePrefix: string };
let agentId: string;

// An agent that never runs: these tests are about the issue rows, not the wakes.
const idle = { command: process.execPath, args: ["-e", "0"] };

beforeAll(async () => {
  t = await startTestRuntime();
  db = openTestDb();
  co = await t.api.createCompany("Crud Works");
  other = await t.api.createCompany("Other Place");
  agentId = (await t.api.createAgent(co.id, { name: "crud-worker", adapterConfig: idle, runtimeConfig: { heartbeat: { wakeOnDemand: false } } })).id;
});
afterAll(async () => {
  await db?.destroy();
  await t?.stop();
});

const create = (body: Record<string, unknown>, companyId = co.id) => t.api.post(`/api/companies/${companyId}/issues`, body);
const issueCount = async (companyId = co.id) => Number((await db.selectFrom("issues").select(db.fn.countAll().as("n")).where("companyId", "=", companyId).executeTakeFirstOrThrow()).n);
const activity = (entityId: string) => db.selectFrom("activity_log").selectAll().where("entityId", "=", entityId).orderBy("createdAt").execute();

describe("create", () => {
  it("numbers issues PREFIX-N, defaults status by assignee, and logs issue.created", async () => {
    const a = await create({ title: "First" });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ title: "First", status: "backlog", priority: "medium", identifier: `${co.issuePrefix}-1`, issueNumber: 1, createdByUserId: "local-board", labelIds: [] });
    const b = await create({ title: "Second", assigneeAgentId: agentId, priority: "high" });
    expect(b.body).toMatchObject({ status: "todo", identifier: `${co.issuePrefix}-2`, assigneeAgentId: agentId, priority: "high" });
    expect((await activity(a.body.id)).map((r) => r.action)).toEqual(["issue.created"]);
  });

  it("heals a counter that fell behind max(issue_number) and numbers concurrent creates uniquely", async () => {
    const c = await t.api.createCompany("Counter Co");
    await db.insertInto("issues").values({ companyId: c.id, title: "imported", issueNumber: 41, identifier: `${c.issuePrefix}-41` }).execute();
    const next = await create({ title: "after import" }, c.id);
    expect(next.body.identifier).toBe(`${c.issuePrefix}-42`);
    const many = await Promise.all(Array.from({ length: 20 }, (_, i) => create({ title: `burst ${i}` }, c.id)));
    expect(many.every((r) => r.status === 201)).toBe(true);
    const numbers = many.map((r) => r.body.issueNumber).sort((x, y) => x - y);
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => 43 + i));
  });

  it("sets startedAt / completedAt when created in those states", async () => {
    const started = await create({ title: "hot", status: "in_progress", assigneeAgentId: agentId });
    expect(started.body.startedAt).not.toBeNull();
    const done = await create({ title: "old", status: "done" });
    expect(done.body.completedAt).not.toBeNull();
  });

  it("records the creating agent and its run", async () => {
    const key = await t.api.createAgentKey(agentId);
    const runId = await insertRunningRun(db, co.id, agentId);
    const res = await t.api.as(key, { "x-paperclip-run-id": runId }).post(`/api/companies/${co.id}/issues`, { title: "from an agent" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ createdByAgentId: agentId, createdByUserId: null, originRunId: runId });
    // An agent cannot create in another company (it cannot even see it).
    expect((await t.api.as(key).post(`/api/companies/${other.id}/issues`, { title: "x" })).status).toBe(404);
  });

  it("refuses malformed bodies with 400 and semantic problems with 422, writing nothing", async () => {
    const before = await issueCount();
    const otherAgent = (await t.api.createAgent(other.id, { name: "foreign", adapterConfig: idle })).id;
    const otherIssue = (await create({ title: "theirs" }, other.id)).body.id;
    const cases: Array<[Record<string, unknown>, number, string?]> = [
      [{}, 400],
      [{ title: "" }, 400],
      [{ title: "x", status: "doing" }, 400],
      [{ title: "x", priority: "urgent" }, 400],
      [{ title: "x", assigneeAgentId: "not-a-uuid" }, 400],
      [{ title: "x", surprise: true }, 400],
      [{ title: "x", requestDepth: -1 }, 400],
      [{ title: "x", assigneeAgentId: agentId, assigneeUserId: "local-board" }, 422, "Issue can only have one assignee"],
      [{ title: "x", status: "in_progress" }, 422, "in_progress issues require an assignee"],
      [{ title: "x", assigneeAgentId: otherAgent }, 422],
      [{ title: "x", parentId: otherIssue }, 422],
      [{ title: "x", projectId: "00000000-0000-4000-8000-000000000000" }, 422],
      [{ title: "x", goalId: "00000000-0000-4000-8000-000000000000" }, 422],
      [{ title: "x", labelIds: ["00000000-0000-4000-8000-000000000000"] }, 422],
    ];
    for (const [body, status, message] of cases) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      if (message) expect(res.body.error).toBe(message);
    }
    expect((await t.api.request("POST", `/api/companies/${co.id}/issues`, "{not json")).status).toBe(400);
    expect(await issueCount()).toBe(before);
  });

  it("refuses an assignee that is terminated", async () => {
    const gone = (await t.api.createAgent(co.id, { name: "gone", adapterConfig: idle })).id;
    expect((await t.api.post(`/api/agents/${gone}/terminate`, {})).status).toBe(200);
    const res = await create({ title: "x", assigneeAgentId: gone });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("agent_not_assignable");
  });
});

describe("get", () => {
  it("accepts a uuid or an identifier in any case, with ancestors, project (with workspaces) and goal", async () => {
    const goalId = await insertGoal(db, co.id);
    const projectId = await insertProject(db, co.id, "Site", goalId);
    const labelId = await insertLabel(db, co.id, "bug");
    const root = (await create({ title: "root", projectId, goalId })).body;
    const mid = (await create({ title: "mid", parentId: root.id })).body;
    const leaf = (await create({ title: "leaf", parentId: mid.id, projectId, labelIds: [labelId] })).body;
    for (const ref of [leaf.id, leaf.identifier, leaf.identifier.toLowerCase()]) {
      const res = await t.api.get(`/api/issues/${ref}`);
      expect(res.status, ref).toBe(200);
      expect(res.body.id).toBe(leaf.id);
    }
    const detail = (await t.api.get(`/api/issues/${leaf.identifier.toLowerCase()}`)).body;
    expect(detail.labelIds).toEqual([labelId]);
    expect(detail.ancestors.map((a: any) => a.id)).toEqual([mid.id, root.id]);
    expect(detail.ancestors[1]).toMatchObject({ identifier: root.identifier, project: { id: projectId, name: "Site" }, goal: { id: goalId } });
    expect(detail.project).toMatchObject({ id: projectId, name: "Site" });
    expect(detail.project.workspaces).toHaveLength(1);
    expect(detail.goal).toBeNull();
  });

  it("answers 404 for another company's issue, unknown identifiers and junk ids", async () => {
    const theirs = (await create({ title: "private" }, other.id)).body;
    const key = await t.api.createAgentKey(agentId);
    expect((await t.api.as(key).get(`/api/issues/${theirs.id}`)).status).toBe(404);
    expect((await t.api.as(key).get(`/api/issues/${theirs.identifier}`)).status).toBe(404);
    expect((await t.api.get(`/api/issues/${co.issuePrefix}-99999`)).status).toBe(404);
    expect((await t.api.get(`/api/issues/not-an-issue`)).status).toBe(404);
    expect((await t.api.as(key).patch(`/api/issues/${theirs.id}`, { title: "mine now" })).status).toBe(404);
    expect((await t.api.get(`/api/issues/${theirs.id}`)).body.title).toBe("private");
  });
});

describe("list", () => {
  it("filters by status CSV, assignee, parent, project, goal, q and updatedSince; sorts; pages", async () => {
    const c = await t.api.createCompany("Lister Inc");
    const worker = (await t.api.createAgent(c.id, { name: "lister", adapterConfig: idle, runtimeConfig: { heartbeat: { wakeOnDemand: false } } })).id;
    const projectId = await insertProject(db, c.id);
    const goalId = await insertGoal(db, c.id);
    const post = async (body: Record<string, unknown>) => (await create(body, c.id)).body;
    const parent = await post({ title: "Parent epic", priority: "low" });
    const kids = [await post({ title: "Kid one", parentId: parent.id, status: "todo", priority: "critical" }), await post({ title: "Kid two 100%", parentId: parent.id, status: "blocked" })];
    const mine = await post({ title: "Assigned", assigneeAgentId: worker, projectId, goalId, status: "in_progress", priority: "high" });
    const userOwned = await post({ title: "User work", assigneeUserId: "local-board", status: "in_review" });
    const list = async (qs: string) => {
      const res = await t.api.get(`/api/companies/${c.id}/issues${qs}`);
      expect(res.status, qs).toBe(200);
      return (res.body as any[]).map((i) => i.id);
    };
    expect(await list("")).toHaveLength(5);
    expect(new Set(await list("?status=todo,blocked"))).toEqual(new Set(kids.map((k) => k.id)));
    expect(await list(`?assigneeAgentId=${worker}`)).toEqual([mine.id]);
    expect(await list(`?assigneeUserId=me`)).toEqual([userOwned.id]);
    expect(new Set(await list(`?parentId=${parent.id}`))).toEqual(new Set(kids.map((k) => k.id)));
    expect(await list(`?projectId=${projectId}`)).toEqual([mine.id]);
    expect(await list(`?goalId=${goalId}`)).toEqual([mine.id]);
    expect(await list(`?q=kid`)).toHaveLength(2);
    expect(await list(`?q=100%25`)).toEqual([kids[1]!.id]); // % is literal, not a wildcard
    expect(await list(`?q=${parent.identifier.toLowerCase()}`)).toEqual([parent.id]);
    expect(await list(`?sortField=priority&sortDir=asc`)).toEqual(expect.arrayContaining([kids[0]!.id]));
    expect((await list(`?sortField=priority&sortDir=asc`))[0]).toBe(kids[0]!.id);
    expect(await list(`?sortField=identifier&sortDir=asc`)).toEqual([parent.id, kids[0]!.id, kids[1]!.id, mine.id, userOwned.id]);
    expect(await list(`?sortField=createdAt&sortDir=desc&limit=2`)).toEqual([userOwned.id, mine.id]);
    expect(await list(`?sortField=createdAt&sortDir=desc&limit=2&offset=2`)).toEqual([kids[1]!.id, kids[0]!.id]);
    await t.api.patch(`/api/issues/${parent.id}`, { description: "touched" });
    expect((await list(""))[0]).toBe(parent.id); // default: most recently updated first
    const since = new Date(Date.now() - 60_000).toISOString();
    expect(await list(`?updatedSince=${encodeURIComponent(since)}`)).toHaveLength(5);
    expect(await list(`?updatedSince=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toHaveLength(0);
    expect(await list(`?limit=5000`)).toHaveLength(5); // clamped to 1000, not refused
  });

  it("list rows are the same JSON as the single-issue view of the row", async () => {
    const c = await t.api.createCompany("Shape Check");
    const labelId = await insertLabel(db, c.id, "shape");
    const issue = (await create({ title: "shape \"quoted\" \\ é 😀", description: "line\nbreak\ttab \u0001 </script>", status: "in_progress", assigneeUserId: "local-board", labelIds: [labelId], priority: "low" }, c.id)).body;
    await db.updateTable("issues").set({ executionWorkspaceSettings: { mode: "x" } }).where("id", "=", issue.id).execute();
    const [listed] = (await t.api.get(`/api/companies/${c.id}/issues`)).body;
    const { ancestors: _a, project: _p, goal: _g, ...single } = (await t.api.get(`/api/issues/${issue.id}`)).body;
    expect(listed).toEqual(single);
    expect(Object.keys(listed).sort()).toEqual(Object.keys(single).sort());
  });

  it("refuses bad query values with 400 and other companies with 404", async () => {
    for (const qs of ["?status=doing", "?assigneeAgentId=bob", "?limit=0", "?offset=-1", "?sortField=title", "?sortDir=up", "?updatedSince=yesterday", "?projectId=1"]) {
      expect((await t.api.get(`/api/companies/${co.id}/issues${qs}`)).status, qs).toBe(400);
    }
    const key = await t.api.createAgentKey(agentId);
    expect((await t.api.as(key).get(`/api/companies/${other.id}/issues`)).status).toBe(404);
    expect((await t.api.get(`/api/companies/00000000-0000-4000-8000-000000000000/issues`)).status).toBe(404);
    expect((await create({ title: "nowhere" }, "00000000-0000-4000-8000-000000000000")).status).toBe(404);
  });
});

describe("patch", () => {
  it("stamps and clears status timestamps", async () => {
    const issue = (await create({ title: "lifecycle", assigneeAgentId: agentId })).body;
    const started = (await t.api.patch(`/api/issues/${issue.id}`, { status: "in_progress" })).body;
    expect(started.startedAt).not.toBeNull();
    const done = (await t.api.patch(`/api/issues/${issue.id}`, { status: "done" })).body;
    expect(done.completedAt).not.toBeNull();
    const cancelled = (await t.api.patch(`/api/issues/${issue.id}`, { status: "cancelled" })).body;
    expect(cancelled).toMatchObject({ completedAt: null });
    expect(cancelled.cancelledAt).not.toBeNull();
    const reopened = (await t.api.patch(`/api/issues/${issue.identifier}`, { reopen: true })).body;
    expect(reopened).toMatchObject({ status: "todo", cancelledAt: null, completedAt: null });
  });

  it("clears checkout and execution locks on any status but in_progress and on reassignment", async () => {
    const runId = await insertRunningRun(db, co.id, agentId);
    const locked = { checkoutRunId: runId, executionRunId: runId, executionAgentNameKey: "crud-worker", executionLockedAt: new Date() };
    const issue = (await create({ title: "locked", assigneeAgentId: agentId, status: "in_progress" })).body;
    const lockFields = async () => db.selectFrom("issues").select(["checkoutRunId", "executionRunId", "executionAgentNameKey", "executionLockedAt"]).where("id", "=", issue.id).executeTakeFirstOrThrow();

    await db.updateTable("issues").set(locked).where("id", "=", issue.id).execute();
    await t.api.patch(`/api/issues/${issue.id}`, { title: "locked, renamed" });
    expect((await lockFields()).checkoutRunId).toBe(runId); // a plain edit keeps them
    await t.api.patch(`/api/issues/${issue.id}`, { status: "in_review" });
    expect(await lockFields()).toEqual({ checkoutRunId: null, executionRunId: null, executionAgentNameKey: null, executionLockedAt: null });

    await db.updateTable("issues").set({ ...locked, status: "in_progress" }).where("id", "=", issue.id).execute();
    await t.api.patch(`/api/issues/${issue.id}`, { assigneeAgentId: null, assigneeUserId: "local-board" });
    expect(await lockFields()).toEqual({ checkoutRunId: null, executionRunId: null, executionAgentNameKey: null, executionLockedAt: null });
  });

  it("creates a comment in the same change and returns it", async () => {
    const issue = (await create({ title: "with comment" })).body;
    const res = await t.api.patch(`/api/issues/${issue.id}`, { status: "todo", comment: "moving to todo" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: issue.id, status: "todo", comment: { issueId: issue.id, body: "moving to todo", authorUserId: "local-board" } });
    expect((await activity(issue.id)).map((r) => r.action)).toEqual(["issue.created", "issue.updated", "issue.comment_added"]);
    const plain = await t.api.patch(`/api/issues/${issue.id}`, { priority: "low" });
    expect(plain.body.comment).toBeNull();
  });

  it("keeps parents in the company and the tree free of cycles", async () => {
    const a = (await create({ title: "A" })).body;
    const b = (await create({ title: "B", parentId: a.id })).body;
    const c = (await create({ title: "C", parentId: b.id })).body;
    const theirs = (await create({ title: "T" }, other.id)).body;
    // Itself, its own grandchild, another company's issue.
    for (const parentId of [a.id, c.id, theirs.id]) {
      expect((await t.api.patch(`/api/issues/${a.id}`, { parentId })).status, parentId).toBe(422);
    }
    expect((await t.api.patch(`/api/issues/${c.id}`, { parentId: a.id })).body.parentId).toBe(a.id);
    expect((await t.api.patch(`/api/issues/${c.id}`, { parentId: null })).body.parentId).toBeNull();
    expect((await t.api.get(`/api/issues/${a.id}`)).body.parentId).toBeNull();
  });

  it("refuses bad patches with 400/422 and leaves the issue as it was", async () => {
    const issue = (await create({ title: "stable", assigneeAgentId: agentId })).body;
    const cases: Array<[Record<string, unknown>, number]> = [
      [{ title: "" }, 400],
      [{ status: "nope" }, 400],
      [{ comment: "" }, 400],
      [{ unknownField: 1 }, 400],
      [{ assigneeUserId: "local-board" }, 422],
      [{ assigneeAgentId: null, status: "in_progress" }, 422],
    ];
    for (const [body, status] of cases) expect((await t.api.patch(`/api/issues/${issue.id}`, body)).status, JSON.stringify(body)).toBe(status);
    const after = (await t.api.get(`/api/issues/${issue.id}`)).body;
    expect(after).toMatchObject({ title: "stable", status: "todo", assigneeAgentId: agentId, assigneeUserId: null, updatedAt: issue.updatedAt });
    expect((await activity(issue.id)).map((r) => r.action)).toEqual(["issue.created"]);
  });
});

describe("delete", () => {
  it("is board-only, removes the issue and its comments, and logs issue.deleted", async () => {
    const issue = (await create({ title: "doomed" })).body;
    await t.api.post(`/api/issues/${issue.id}/comments`, { body: "bye" });
    const key = await t.api.createAgentKey(agentId);
    expect((await t.api.as(key).delete(`/api/issues/${issue.id}`)).status).toBe(403);
    const res = await t.api.delete(`/api/issues/${issue.identifier.toLowerCase()}`);
    expect(res).toMatchObject({ status: 200, body: { ok: true } });
    expect((await t.api.get(`/api/issues/${issue.id}`)).status).toBe(404);
    expect((await t.api.delete(`/api/issues/${issue.id}`)).status).toBe(404);
    expect(await db.selectFrom("issue_comments").select("id").where("issueId", "=", issue.id).execute()).toHaveLength(0);
    expect((await activity(issue.id)).map((r) => r.action)).toContain("issue.deleted");
  });
});

describe("board members", () => {
  it("a viewer reads but cannot write (403, nothing written); a member of another company sees nothing (404)", async () => {
    const viewer = t.api.as(await insertBoardMember(db, co.id, "viewer"));
    const outsider = t.api.as(await insertBoardMember(db, other.id, "owner"));
    const issue = (await create({ title: "watched" })).body;
    expect((await viewer.get(`/api/issues/${issue.identifier}`)).status).toBe(200);
    expect((await viewer.get(`/api/companies/${co.id}/issues?limit=1`)).status).toBe(200);
    expect((await viewer.get(`/api/issues/${issue.id}/comments`)).status).toBe(200);
    const writes = [
      viewer.post(`/api/companies/${co.id}/issues`, { title: "nope" }),
      viewer.patch(`/api/issues/${issue.id}`, { title: "nope" }),
      viewer.post(`/api/issues/${issue.id}/comments`, { body: "nope" }),
      viewer.post(`/api/issues/${issue.id}/checkout`, { agentId, expectedStatuses: ["backlog"] }),
      viewer.post(`/api/issues/${issue.id}/release`, {}),
      viewer.delete(`/api/issues/${issue.id}`),
    ];
    for (const res of await Promise.all(writes)) expect(res).toMatchObject({ status: 403, body: { error: "Viewer access is read-only" } });
    for (const res of await Promise.all([outsider.get(`/api/issues/${issue.id}`), outsider.patch(`/api/issues/${issue.id}`, { title: "x" }), outsider.get(`/api/companies/${co.id}/issues`)])) {
      expect(res.status).toBe(404);
    }
    expect((await t.api.get(`/api/issues/${issue.id}`)).body).toMatchObject({ title: "watched", status: "backlog", assigneeAgentId: null, updatedAt: issue.updatedAt });
    expect((await activity(issue.id)).map((r) => r.action)).toEqual(["issue.created"]);
  });
});

describe("openapi", () => {
  it("documents the issue routes with their body and query schemas", async () => {
    const doc = (await t.api.get("/api/openapi.json")).body;
    const create = doc.paths["/api/companies/{companyId}/issues"];
    expect(create.post.requestBody.content["application/json"].schema.required).toEqual(["title"]);
    expect(create.get.parameters.map((p: any) => p.name)).toEqual(expect.arrayContaining(["companyId", "status", "assigneeAgentId", "sortField", "limit"]));
    for (const [url, method] of [["/api/issues/{id}", "patch"], ["/api/issues/{id}/checkout", "post"], ["/api/issues/{id}/comments", "post"]] as const) {
      expect(doc.paths[url][method].requestBody, url).toBeDefined();
    }
    expect(doc.paths["/api/agents/me/inbox-lite"].get).toBeDefined();
  });
});
