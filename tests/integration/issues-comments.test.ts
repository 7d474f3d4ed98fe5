/**
 * Issue comments over HTTP: post (board, or an agent from a run), list with order / after / limit,
 * get one, and refusals. The wakes comments cause are in issues-wakes.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../db/connection.js";
import { insertRunningRun, openTestDb } from "../fixtures/issues-db.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";

let t: TestRuntime;
let db: Db;
let companyId: string;

beforeAll(async () => {
  t = await startTestRuntime();
  db = openTestDb();
  companyId = (await t.api.createCompany("Comment Co")).id;
});
afterAll(async () => {
  await db?.destroy();
  await t?.stop();
});

const newIssue = async (companyIdArg = companyId) => (await t.api.post(`/api/companies/${companyIdArg}/issues`, { title: "talk" })).body;
const comment = (issueRef: string, body: string) => t.api.post(`/api/issues/${issueRef}/comments`, { body });
const count = async (issueId: string) => (await db.selectFrom("issue_comments").select("id").where("issueId", "=", issueId).execute()).length;

describe("posting", () => {
  it("201 with the comment; the issue is touched and the comment logged", async () => {
    const issue = await newIssue();
    const res = await comment(issue.identifier.toLowerCase(), "hello there");
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ issueId: issue.id, companyId, body: "hello there", authorUserId: "local-board", authorAgentId: null });
    const after = (await t.api.get(`/api/issues/${issue.id}`)).body;
    expect(new Date(after.updatedAt).getTime()).toBeGreaterThan(new Date(issue.updatedAt).getTime());
    const log = await db.selectFrom("activity_log").selectAll().where("entityId", "=", issue.id).where("action", "=", "issue.comment_added").executeTakeFirstOrThrow();
    expect(log.details).toMatchObject({ commentId: res.body.id });
  });

  it("an agent posts from a run, authored as itself", async () => {
    const agent = await t.api.createAgent(companyId, { name: "talker", adapterConfig: { command: process.execPath, args: ["-e", "0"] } });
    const key = await t.api.createAgentKey(agent.id);
    const run = await insertRunningRun(db, companyId, agent.id);
    const issue = await newIssue();
    const res = await t.api.as(key, { "x-paperclip-run-id": run }).post(`/api/issues/${issue.id}/comments`, { body: "agent here" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ authorAgentId: agent.id, authorUserId: null });
    expect(await t.api.as(key).post(`/api/issues/${issue.id}/comments`, { body: "no run" })).toMatchObject({ status: 401, body: { error: "Agent run id required" } });
  });

  it("refuses malformed bodies (400) and other companies' issues (404), writing nothing", async () => {
    const issue = await newIssue();
    for (const body of [{}, { body: "" }, { body: "   " }, { body: 42 }, { body: "x", reopen: "yes" }, { body: "x", extra: 1 }]) {
      expect((await t.api.post(`/api/issues/${issue.id}/comments`, body)).status, JSON.stringify(body)).toBe(400);
    }
    const elsewhere = await t.api.createCompany("No Comment Ltd");
    const theirs = await newIssue(elsewhere.id);
    const outsider = await t.api.createAgent(companyId, { name: "outsider", adapterConfig: { command: process.execPath, args: ["-e", "0"] } });
    const key = await t.api.createAgentKey(outsider.id);
    const run = await insertRunningRun(db, companyId, outsider.id);
    expect((await t.api.as(key, { "x-paperclip-run-id": run }).post(`/api/issues/${theirs.id}/comments`, { body: "psst" })).status).toBe(404);
    expect((await t.api.as(key).get(`/api/issues/${theirs.id}/comments`)).status).toBe(404);
    expect(await count(issue.id)).toBe(0);
    expect(await count(theirs.id)).toBe(0);
  });
});

describe("reading", () => {
  it("lists newest first by default; asc, after a comment, and limit", async () => {
    const issue = await newIssue();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await comment(issue.id, `c${i}`)).body.id);
    const list = async (qs = "") => {
      const res = await t.api.get(`/api/issues/${issue.id}/comments${qs}`);
      expect(res.status, qs).toBe(200);
      return (res.body as any[]).map((c) => c.body);
    };
    expect(await list()).toEqual(["c5", "c4", "c3", "c2", "c1", "c0"]);
    expect(await list("?order=asc")).toEqual(["c0", "c1", "c2", "c3", "c4", "c5"]);
    expect(await list(`?after=${ids[2]}&order=asc`)).toEqual(["c3", "c4", "c5"]);
    expect(await list(`?after=${ids[2]}`)).toEqual(["c5", "c4", "c3"]);
    expect(await list(`?order=asc&limit=2`)).toEqual(["c0", "c1"]);
    expect(await list(`?limit=9999`)).toHaveLength(6); // clamped to 500
    for (const qs of ["?order=sideways", "?limit=0", "?after=nope"]) expect((await t.api.get(`/api/issues/${issue.id}/comments${qs}`)).status, qs).toBe(400);
    expect((await t.api.get(`/api/issues/${issue.id}/comments?after=00000000-0000-4000-8000-000000000000`)).status).toBe(404);
  });

  it("gets one comment, only through its own issue", async () => {
    const a = await newIssue();
    const b = await newIssue();
    const c = (await comment(a.id, "only here")).body;
    expect((await t.api.get(`/api/issues/${a.identifier}/comments/${c.id}`)).body).toMatchObject({ id: c.id, body: "only here" });
    expect((await t.api.get(`/api/issues/${b.id}/comments/${c.id}`)).status).toBe(404);
    expect((await t.api.get(`/api/issues/${a.id}/comments/not-a-uuid`)).status).toBe(404);
  });
});
