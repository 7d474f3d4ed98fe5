/**
 * The wakes issue mutations cause, through the real engine: each wake becomes a run whose context
 * and environment say why (PAPERCLIP_WAKE_REASON, PAPERCLIP_TASK_ID, PAPERCLIP_WAKE_COMMENT_ID).
 * Wakes are sent before the mutation answers, so "no wake" is checked right after the response.
 */
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../db/connection.js";
import { insertRunningRun, openTestDb } from "../fixtures/issues-db.js";
import { logText } from "../helpers/api-client.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";
import { waitFor } from "../helpers/wait.js";

let t: TestRuntime;
let db: Db;
let companyId: string;

const printer = { adapterConfig: { command: process.execPath, args: [path.resolve("tests/fixtures/print-wake-env.mjs")], cwd: os.tmpdir() } };

beforeAll(async () => {
  t = await startTestRuntime();
  db = openTestDb();
  companyId = (await t.api.createCompany("Wake Works")).id;
});
afterAll(async () => {
  await db?.destroy();
  await t?.stop();
});

const newAgent = async (name: string) => (await t.api.createAgent(companyId, { name, ...printer })).id;
const newIssue = async (body: Record<string, unknown>) => (await t.api.post(`/api/companies/${companyId}/issues`, { title: "wakeful", ...body })).body;
const runsOf = async (agentId: string) => (await t.api.get(`/api/companies/${companyId}/heartbeat-runs?agentId=${agentId}`)).body as any[];

/** Waits for the agent's run matching `match`, lets it finish, and returns it with its printed env. */
async function finishedRun(agentId: string, match: (run: any) => boolean = () => true) {
  const run = await waitFor(`a run of ${agentId}`, async () => (await runsOf(agentId)).find(match));
  const done = await t.api.waitForRun(run.id, 20_000);
  expect(done.status).toBe("succeeded");
  return { run: done, env: logText((await t.api.runLog(done.id)).content, "stdout") };
}

describe("assignment and status", () => {
  it("create with an assignee wakes it with issue_assigned; in backlog it does not", async () => {
    const agent = await newAgent("assignee");
    await newIssue({ assigneeAgentId: agent, status: "backlog" });
    expect(await runsOf(agent)).toHaveLength(0);
    const issue = await newIssue({ assigneeAgentId: agent });
    const { run, env } = await finishedRun(agent);
    expect(run).toMatchObject({ invocationSource: "assignment", contextSnapshot: { issueId: issue.id, taskId: issue.id, wakeReason: "issue_assigned", source: "issue.create" } });
    expect(env).toContain("PAPERCLIP_WAKE_REASON=issue_assigned");
    expect(env).toContain(`PAPERCLIP_TASK_ID=${issue.id}`);
    const [wake] = (await t.api.get(`/api/agents/${agent}/wakeup-requests`)).body;
    expect(wake).toMatchObject({ source: "assignment", reason: "issue_assigned", payload: { issueId: issue.id, mutation: "create" }, requestedByActorType: "user" });
  });

  it("reassignment wakes the new assignee; reassigning into backlog does not; leaving backlog wakes issue_status_changed", async () => {
    const first = await newAgent("first-hand");
    const second = await newAgent("second-hand");
    const issue = await newIssue({ status: "todo" });
    await t.api.patch(`/api/issues/${issue.id}`, { assigneeAgentId: second });
    const reassigned = await finishedRun(second);
    expect(reassigned.run.contextSnapshot).toMatchObject({ wakeReason: "issue_assigned", source: "issue.update", issueId: issue.id });

    // Handed over into backlog: nobody is woken.
    await t.api.patch(`/api/issues/${issue.id}`, { assigneeAgentId: first, status: "backlog" });
    expect(await runsOf(first)).toHaveLength(0);
    await t.api.patch(`/api/issues/${issue.id}`, { status: "todo" });
    const moved = await finishedRun(first);
    expect(moved.run).toMatchObject({ invocationSource: "automation", contextSnapshot: { wakeReason: "issue_status_changed", issueId: issue.id } });
    expect(moved.env).toContain("PAPERCLIP_WAKE_REASON=issue_status_changed");
  });

  it("a paused assignee is not woken, and the assignment still succeeds", async () => {
    const agent = await newAgent("on-leave");
    expect((await t.api.post(`/api/agents/${agent}/pause`, {})).status).toBe(200);
    const res = await t.api.post(`/api/companies/${companyId}/issues`, { title: "while away", assigneeAgentId: agent });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ assigneeAgentId: agent, status: "todo" });
    expect(await runsOf(agent)).toHaveLength(0);
  });
});

describe("comments", () => {
  it("a board comment wakes the assignee with issue_commented and the comment id", async () => {
    const agent = await newAgent("reader");
    const issue = await newIssue({ assigneeAgentId: agent, status: "backlog" });
    const comment = (await t.api.post(`/api/issues/${issue.id}/comments`, { body: "please look" })).body;
    const { run, env } = await finishedRun(agent);
    expect(run).toMatchObject({
      invocationSource: "automation",
      triggerDetail: "system",
      contextSnapshot: { issueId: issue.id, taskId: issue.id, commentId: comment.id, wakeCommentId: comment.id, wakeReason: "issue_commented", source: "issue.comment" },
    });
    expect(env).toContain("PAPERCLIP_WAKE_REASON=issue_commented");
    expect(env).toContain(`PAPERCLIP_WAKE_COMMENT_ID=${comment.id}`);
    const [wake] = (await t.api.get(`/api/agents/${agent}/wakeup-requests`)).body;
    expect(wake.payload).toEqual({ issueId: issue.id, commentId: comment.id, mutation: "comment" });
  });

  it("no wake for the assignee's own comment, nor on a closed issue; reopen:true reopens and wakes", async () => {
    const agent = await newAgent("self-talker");
    const key = await t.api.createAgentKey(agent);
    const run = await insertRunningRun(db, companyId, agent);
    const issue = await newIssue({ assigneeAgentId: agent, status: "backlog" });
    expect((await t.api.as(key, { "x-paperclip-run-id": run }).post(`/api/issues/${issue.id}/comments`, { body: "note to self" })).status).toBe(201);
    expect(await runsOf(agent)).toHaveLength(1); // only the inserted one

    // Created closed but assigned: Paperclip still sends that assignment wake; let it pass first.
    const closed = await newIssue({ assigneeAgentId: agent, status: "done" });
    const assigned = await finishedRun(agent, (r) => r.id !== run);
    await t.api.post(`/api/issues/${closed.id}/comments`, { body: "post-mortem" });
    expect(await runsOf(agent)).toHaveLength(2);
    const reopen = (await t.api.post(`/api/issues/${closed.id}/comments`, { body: "not fixed", reopen: true })).body;
    expect((await t.api.get(`/api/issues/${closed.id}`)).body).toMatchObject({ status: "todo", completedAt: null });
    const woken = await finishedRun(agent, (r) => r.id !== run && r.id !== assigned.run.id);
    expect(woken.run.contextSnapshot).toMatchObject({ wakeReason: "issue_reopened_via_comment", wakeCommentId: reopen.id });
    expect(woken.env).toContain("PAPERCLIP_WAKE_REASON=issue_reopened_via_comment");
  });

  it("@mentions wake the named agents (plain, longest name, structured link) but never the author", async () => {
    const ada = await newAgent("Ada");
    const lovelace = await newAgent("Ada Lovelace");
    const linked = await newAgent("Linked");
    const author = await newAgent("Author");
    const elsewhere = await t.api.createCompany("Mention Elsewhere");
    const stranger = (await t.api.createAgent(elsewhere.id, { name: "Stranger", ...printer })).id;
    const key = await t.api.createAgentKey(author);
    const authorRun = await insertRunningRun(db, companyId, author);
    const issue = await newIssue({ status: "backlog" });
    const body = `@ada lovelace and [@someone](agent://${linked}) — cc @Author, [@x](agent://${stranger}), mail ada@example.com`;
    const comment = (await t.api.as(key, { "x-paperclip-run-id": authorRun }).post(`/api/issues/${issue.id}/comments`, { body })).body;

    for (const agent of [lovelace, linked]) {
      const { run, env } = await finishedRun(agent);
      expect(run.contextSnapshot).toMatchObject({ wakeReason: "issue_comment_mentioned", issueId: issue.id, wakeCommentId: comment.id });
      expect(env).toContain("PAPERCLIP_WAKE_REASON=issue_comment_mentioned");
    }
    expect(await runsOf(ada)).toHaveLength(0);
    expect(await runsOf(author)).toHaveLength(1); // its own running row only
    expect((await t.api.get(`/api/companies/${elsewhere.id}/heartbeat-runs?agentId=${stranger}`)).body).toHaveLength(0);
  });

  it("an assignee who is also mentioned gets one wake, as the assignee", async () => {
    const agent = await newAgent("Both Ways");
    const issue = await newIssue({ assigneeAgentId: agent, status: "backlog" });
    await t.api.patch(`/api/issues/${issue.id}`, { comment: "@both ways see this" });
    const { run } = await finishedRun(agent);
    expect(run.contextSnapshot.wakeReason).toBe("issue_commented");
    const wakes = (await t.api.get(`/api/agents/${agent}/wakeup-requests`)).body;
    expect(wakes).toHaveLength(1);
  });
});

describe("sub-issues", () => {
  it("closing the last open sub-issue wakes the parent's assignee with issue_children_completed, once", async () => {
    const manager = await newAgent("manager");
    const parent = await newIssue({ status: "backlog", assigneeAgentId: manager });
    const a = await newIssue({ parentId: parent.id, status: "todo" });
    const b = await newIssue({ parentId: parent.id, status: "todo" });
    // Leaving backlog wakes the manager once (issue_status_changed); that run is not the one under test.
    expect((await t.api.patch(`/api/issues/${parent.id}`, { status: "in_progress" })).status).toBe(200);
    await finishedRun(manager, (r) => r.contextSnapshot?.wakeReason === "issue_status_changed");

    expect((await t.api.patch(`/api/issues/${a.id}`, { status: "done" })).status).toBe(200);
    expect((await runsOf(manager)).filter((r) => r.contextSnapshot?.wakeReason === "issue_children_completed")).toHaveLength(0);
    expect((await t.api.patch(`/api/issues/${b.id}`, { status: "cancelled" })).status).toBe(200);
    const { run, env } = await finishedRun(manager, (r) => r.contextSnapshot?.wakeReason === "issue_children_completed");
    expect(run.contextSnapshot).toMatchObject({ issueId: parent.id, childIssueId: b.id });
    expect(env).toContain("PAPERCLIP_WAKE_REASON=issue_children_completed");
    expect(env).toContain(`PAPERCLIP_TASK_ID=${parent.id}`);
    // Re-closing an already closed child wakes nobody again.
    expect((await t.api.patch(`/api/issues/${a.id}`, { status: "cancelled" })).status).toBe(200);
    expect((await runsOf(manager)).filter((r) => r.contextSnapshot?.wakeReason === "issue_children_completed")).toHaveLength(1);
  });
});
