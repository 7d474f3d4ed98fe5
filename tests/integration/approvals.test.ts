/**
 * Approvals through the API: filing (board and agents, for themselves only), the decision state
 * machine, comments, issue links (ids and identifiers), and the wake of the requesting agent on
 * approval — which its process sees as PAPERCLIP_APPROVAL_* env vars.
 */
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiClient } from "../helpers/api-client.js";
import { logText } from "../helpers/api-client.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";
import { waitFor } from "../helpers/wait.js";

let t: TestRuntime;
let company: { id: string; issuePrefix: string };
let other: { id: string; issuePrefix: string };
let requester: { id: string };
let outsider: { id: string };
let requesterApi: ApiClient;
let bystanderApi: ApiClient;
let outsiderApi: ApiClient;
let issueNumber = 9000;

const printEnv = {
  command: process.execPath,
  args: ["-e", "for (const k of ['PAPERCLIP_APPROVAL_ID','PAPERCLIP_APPROVAL_STATUS','PAPERCLIP_LINKED_ISSUE_IDS','PAPERCLIP_WAKE_REASON','PAPERCLIP_TASK_ID']) console.log(k + '=' + (process.env[k] ?? ''))"],
  cwd: os.tmpdir(),
};

/** Issues are made in the table directly: this file tests approvals, not the issues API. */
async function insertIssue(companyId: string, prefix: string, title = "an issue") {
  const n = ++issueNumber;
  return t.runtime.db.insertInto("issues").values({ companyId, title, status: "todo", issueNumber: n, identifier: `${prefix}-${n}` }).returningAll().executeTakeFirstOrThrow();
}

const activity = (entityId: string, action?: string) => {
  let q = t.runtime.db.selectFrom("activity_log").selectAll().where("entityId", "=", entityId);
  if (action) q = q.where("action", "=", action);
  return q.orderBy("createdAt").execute();
};
const approvalCount = async (companyId: string) => (await t.api.get(`/api/companies/${companyId}/approvals`)).body.length as number;

async function fileApproval(api: ApiClient, body: Record<string, unknown> = {}) {
  const res = await api.post(`/api/companies/${company.id}/approvals`, { type: "approve_ceo_strategy", payload: { plan: "grow" }, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; status: string; requestedByAgentId: string | null };
}

beforeAll(async () => {
  t = await startTestRuntime();
  company = await t.api.createCompany("Approvals Co");
  other = await t.api.createCompany("Elsewhere Co");
  requester = await t.api.createAgent(company.id, { name: "ceo", role: "ceo", adapterConfig: printEnv });
  const bystander = await t.api.createAgent(company.id, { name: "bystander", adapterConfig: printEnv });
  outsider = await t.api.createAgent(other.id, { name: "outsider", adapterConfig: printEnv });
  requesterApi = t.api.as(await t.api.createAgentKey(requester.id));
  bystanderApi = t.api.as(await t.api.createAgentKey(bystander.id));
  outsiderApi = t.api.as(await t.api.createAgentKey(outsider.id));
});
afterAll(async () => t?.stop());

describe("filing approvals", () => {
  it("an agent files for itself; issue links accept ids and identifiers; the board lists by status", async () => {
    const a = await insertIssue(company.id, company.issuePrefix);
    const b = await insertIssue(company.id, company.issuePrefix);
    const approval = await fileApproval(requesterApi, { type: "budget_override_required", issueIds: [a.id, b.identifier!.toLowerCase(), a.identifier] });
    expect(approval).toMatchObject({ status: "pending", requestedByAgentId: requester.id, type: "budget_override_required" });
    const linked = (await t.api.get(`/api/approvals/${approval.id}/issues`)).body;
    expect(linked.map((i: any) => i.id)).toEqual([a.id, b.id]); // link order, duplicates dropped
    const pending = (await t.api.get(`/api/companies/${company.id}/approvals?status=pending`)).body;
    expect(pending.map((x: any) => x.id)).toContain(approval.id);
    expect((await t.api.get(`/api/companies/${company.id}/approvals?status=approved`)).body.map((x: any) => x.id)).not.toContain(approval.id);
    const [created] = await activity(approval.id, "approval.created");
    expect(created).toMatchObject({ actorType: "agent", actorId: requester.id, companyId: company.id });
    // A budget override with no open incident behind it: deciding it (twice) is harmless.
    expect((await t.api.post(`/api/approvals/${approval.id}/reject`, {})).body).toMatchObject({ status: "rejected", applied: true });
    expect((await t.api.post(`/api/approvals/${approval.id}/reject`, {})).body).toMatchObject({ status: "rejected", applied: false });
  });

  it("refuses an agent filing as another agent (403), in another company (404), and bad bodies (400) — writing nothing", async () => {
    const before = await approvalCount(company.id);
    expect((await bystanderApi.post(`/api/companies/${company.id}/approvals`, { type: "hire_agent", requestedByAgentId: requester.id, payload: {} })).status).toBe(403);
    expect((await outsiderApi.post(`/api/companies/${company.id}/approvals`, { type: "hire_agent", payload: {} })).status).toBe(404);
    for (const body of [{}, { type: "nope", payload: {} }, { type: "hire_agent" }, { type: "hire_agent", payload: [] }, { type: "hire_agent", payload: {}, extra: 1 }, { type: "hire_agent", payload: {}, issueIds: "ABC-1" }]) {
      const res = await t.api.post(`/api/companies/${company.id}/approvals`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toBe("Validation error");
    }
    const foreignIssue = await insertIssue(other.id, other.issuePrefix);
    const res = await t.api.post(`/api/companies/${company.id}/approvals`, { type: "hire_agent", payload: {}, issueIds: [foreignIssue.id] });
    expect(res).toMatchObject({ status: 422, body: { code: "unknown_issue" } });
    expect((await t.api.post(`/api/companies/${company.id}/approvals`, { type: "hire_agent", payload: {}, requestedByAgentId: outsider.id })).status).toBe(422);
    expect((await t.api.post(`/api/companies/00000000-0000-4000-8000-000000000000/approvals`, { type: "hire_agent", payload: {} })).status).toBe(404);
    expect(await approvalCount(company.id)).toBe(before);
  });

  it("hides another company's approval (404) from agents, for reads and writes alike", async () => {
    const approval = await fileApproval(requesterApi);
    for (const path of ["", "/issues", "/comments"]) expect((await outsiderApi.get(`/api/approvals/${approval.id}${path}`)).status).toBe(404);
    expect((await outsiderApi.post(`/api/approvals/${approval.id}/comments`, { body: "hi" })).status).toBe(404);
    expect((await outsiderApi.get(`/api/companies/${company.id}/approvals`)).status).toBe(404);
    expect((await t.api.get(`/api/approvals/not-a-uuid`)).status).toBe(404);
    expect((await t.api.get(`/api/approvals/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
  });
});

describe("decisions", () => {
  it("approve wakes the requester with the approval in its env; approving again is applied:false", async () => {
    const issue = await insertIssue(company.id, company.issuePrefix);
    const approval = await fileApproval(requesterApi, { issueIds: [issue.identifier] });
    const res = await t.api.post(`/api/approvals/${approval.id}/approve`, { decisionNote: "go" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: approval.id, status: "approved", applied: true, decisionNote: "go", decidedByUserId: "local-board" });

    const [queued] = await activity(approval.id, "approval.requester_wakeup_queued");
    expect(queued?.details).toMatchObject({ requesterAgentId: requester.id, linkedIssueIds: [issue.id] });
    const runId = (queued!.details as any).wakeRunId as string;
    const run = await t.api.waitForRun(runId);
    expect(run.status).toBe("succeeded");
    expect(run.contextSnapshot).toMatchObject({ approvalId: approval.id, approvalStatus: "approved", issueId: issue.id, issueIds: [issue.id], taskId: issue.id, wakeReason: "approval_approved" });
    const out = logText((await t.api.runLog(runId)).content, "stdout");
    expect(out).toContain(`PAPERCLIP_APPROVAL_ID=${approval.id}\n`);
    expect(out).toContain("PAPERCLIP_APPROVAL_STATUS=approved\n");
    expect(out).toContain(`PAPERCLIP_LINKED_ISSUE_IDS=${issue.id}\n`);
    expect(out).toContain("PAPERCLIP_WAKE_REASON=approval_approved\n");
    expect(out).toContain(`PAPERCLIP_TASK_ID=${issue.id}\n`);
    const wakes = (await t.api.get(`/api/agents/${requester.id}/wakeup-requests?limit=200`)).body as any[];
    expect(wakes.filter((w) => w.payload?.approvalId === approval.id)).toMatchObject([{ source: "automation", reason: "approval_approved", runId }]);

    const again = await t.api.post(`/api/approvals/${approval.id}/approve`, {});
    expect(again).toMatchObject({ status: 200, body: { status: "approved", applied: false, decisionNote: "go" } });
    expect(await activity(approval.id, "approval.approved")).toHaveLength(1);
    expect(await activity(approval.id, "approval.requester_wakeup_queued")).toHaveLength(1);
    expect((await t.api.post(`/api/approvals/${approval.id}/reject`, {})).status).toBe(422);
    expect((await t.api.post(`/api/approvals/${approval.id}/request-revision`, {})).status).toBe(422);
  });

  it("reject does not wake; approving a rejected approval is 422; rejecting again is applied:false", async () => {
    const approval = await fileApproval(requesterApi);
    const res = await t.api.post(`/api/approvals/${approval.id}/reject`, { decisionNote: "no" });
    expect(res.body).toMatchObject({ status: "rejected", applied: true });
    expect(await activity(approval.id, "approval.rejected")).toHaveLength(1);
    expect(await activity(approval.id, "approval.requester_wakeup_queued")).toHaveLength(0);
    const wakes = (await t.api.get(`/api/agents/${requester.id}/wakeup-requests?limit=200`)).body as any[];
    expect(wakes.filter((w) => w.payload?.approvalId === approval.id)).toHaveLength(0);
    const approve = await t.api.post(`/api/approvals/${approval.id}/approve`, {});
    expect(approve.status).toBe(422);
    expect((await t.api.get(`/api/approvals/${approval.id}`)).body.status).toBe("rejected");
    expect((await t.api.post(`/api/approvals/${approval.id}/reject`, {})).body).toMatchObject({ applied: false, status: "rejected" });
  });

  it("revision round trip: only pending can be sent back, only the requester (or board) resubmits, only from revision_requested", async () => {
    const approval = await fileApproval(requesterApi);
    expect((await requesterApi.post(`/api/approvals/${approval.id}/resubmit`, {})).status).toBe(422);
    const sent = await t.api.post(`/api/approvals/${approval.id}/request-revision`, { decisionNote: "more detail" });
    expect(sent.body).toMatchObject({ status: "revision_requested", decisionNote: "more detail" });
    expect((await t.api.post(`/api/approvals/${approval.id}/request-revision`, {})).status).toBe(422);
    expect((await bystanderApi.post(`/api/approvals/${approval.id}/resubmit`, { payload: { plan: "hijack" } })).status).toBe(403);
    expect((await outsiderApi.post(`/api/approvals/${approval.id}/resubmit`, {})).status).toBe(404);
    expect((await requesterApi.post(`/api/approvals/${approval.id}/resubmit`, { payload: "x" })).status).toBe(400);
    expect((await t.api.get(`/api/approvals/${approval.id}`)).body).toMatchObject({ status: "revision_requested", payload: { plan: "grow" } });
    const back = await requesterApi.post(`/api/approvals/${approval.id}/resubmit`, { payload: { plan: "grow faster" } });
    expect(back.body).toMatchObject({ status: "pending", payload: { plan: "grow faster" }, decisionNote: null, decidedAt: null });
    expect(await activity(approval.id, "approval.revision_requested")).toHaveLength(1);
    expect(await activity(approval.id, "approval.resubmitted")).toHaveLength(1);
    // From revision_requested the board may also decide directly.
    await t.api.post(`/api/approvals/${approval.id}/request-revision`, {});
    expect((await t.api.post(`/api/approvals/${approval.id}/approve`, {})).body).toMatchObject({ status: "approved", applied: true });
  });

  it("decisions are the board's: agents get 403, other companies' agents 404, bad bodies 400 with nothing changed", async () => {
    const approval = await fileApproval(requesterApi);
    for (const action of ["approve", "reject", "request-revision"]) {
      expect((await requesterApi.post(`/api/approvals/${approval.id}/${action}`, {})).status).toBe(403);
      expect((await t.api.post(`/api/approvals/${approval.id}/${action}`, { decisionNote: 5 })).status).toBe(400);
      expect((await t.api.post(`/api/approvals/${approval.id}/${action}`, { other: true })).status).toBe(400);
    }
    expect((await t.api.get(`/api/approvals/${approval.id}`)).body.status).toBe("pending");
    expect(await activity(approval.id)).toHaveLength(1); // only approval.created
  });
});

describe("comments", () => {
  it("board and agents comment; empty bodies are refused", async () => {
    const approval = await fileApproval(requesterApi);
    const c1 = await t.api.post(`/api/approvals/${approval.id}/comments`, { body: "why?" });
    expect(c1).toMatchObject({ status: 201, body: { body: "why?", authorUserId: "local-board", authorAgentId: null } });
    const c2 = await requesterApi.post(`/api/approvals/${approval.id}/comments`, { body: "because" });
    expect(c2.body).toMatchObject({ authorAgentId: requester.id, authorUserId: null });
    expect((await t.api.post(`/api/approvals/${approval.id}/comments`, { body: "   " })).status).toBe(400);
    expect((await t.api.post(`/api/approvals/${approval.id}/comments`, {})).status).toBe(400);
    const list = (await bystanderApi.get(`/api/approvals/${approval.id}/comments`)).body;
    expect(list.map((c: any) => c.body)).toEqual(["why?", "because"]);
    expect(await activity(approval.id, "approval.comment_added")).toHaveLength(2);
  });
});

describe("issue links", () => {
  it("links and unlinks from the issue side, by id or identifier, idempotently", async () => {
    const issue = await insertIssue(company.id, company.issuePrefix);
    const approval = await fileApproval(requesterApi);
    const linked = await bystanderApi.post(`/api/issues/${issue.identifier!.toLowerCase()}/approvals`, { approvalId: approval.id });
    expect(linked.status).toBe(201);
    expect(linked.body.map((a: any) => a.id)).toEqual([approval.id]);
    expect((await t.api.post(`/api/issues/${issue.id}/approvals`, { approvalId: approval.id })).status).toBe(201);
    expect(await activity(issue.id, "issue.approval_linked")).toHaveLength(1);
    expect((await t.api.get(`/api/issues/${issue.identifier}/approvals`)).body.map((a: any) => a.id)).toEqual([approval.id]);
    expect((await t.api.get(`/api/approvals/${approval.id}/issues`)).body.map((i: any) => i.id)).toEqual([issue.id]);

    const removed = await t.api.delete(`/api/issues/${issue.identifier}/approvals/${approval.id}`);
    expect(removed.body).toEqual({ ok: true, removed: true });
    expect((await t.api.delete(`/api/issues/${issue.id}/approvals/${approval.id}`)).body).toEqual({ ok: true, removed: false });
    expect(await activity(issue.id, "issue.approval_unlinked")).toHaveLength(1);
    expect((await t.api.get(`/api/issues/${issue.id}/approvals`)).body).toEqual([]);
  });

  it("refuses foreign issues and approvals (404) and bad bodies (400), linking nothing", async () => {
    const issue = await insertIssue(company.id, company.issuePrefix);
    const foreignIssue = await insertIssue(other.id, other.issuePrefix);
    const approval = await fileApproval(requesterApi);
    const foreignApproval = (await outsiderApi.post(`/api/companies/${other.id}/approvals`, { type: "hire_agent", payload: {} })).body;
    expect((await t.api.post(`/api/issues/${issue.id}/approvals`, { approvalId: foreignApproval.id })).status).toBe(404);
    expect((await outsiderApi.post(`/api/issues/${issue.identifier}/approvals`, { approvalId: approval.id })).status).toBe(404);
    expect((await outsiderApi.get(`/api/issues/${issue.id}/approvals`)).status).toBe(404);
    expect((await bystanderApi.get(`/api/issues/${foreignIssue.identifier}/approvals`)).status).toBe(404);
    expect((await t.api.get(`/api/issues/NOPE-1/approvals`)).status).toBe(404);
    expect((await t.api.get(`/api/issues/not an issue/approvals`)).status).toBe(404);
    expect((await t.api.post(`/api/issues/${issue.id}/approvals`, { approvalId: "x" })).status).toBe(400);
    expect((await t.api.post(`/api/issues/${issue.id}/approvals`, {})).status).toBe(400);
    expect((await t.api.delete(`/api/issues/${issue.id}/approvals/not-a-uuid`)).status).toBe(404);
    expect((await t.api.get(`/api/issues/${issue.id}/approvals`)).body).toEqual([]);
  });
});

describe("concurrent decisions", () => {
  it("two boards approving at once apply the decision once and wake the requester once", async () => {
    const approval = await fileApproval(requesterApi);
    const results = await Promise.all([t.api.post(`/api/approvals/${approval.id}/approve`, {}), t.api.post(`/api/approvals/${approval.id}/approve`, {})]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(results.map((r) => r.body.applied).sort()).toEqual([false, true]);
    await waitFor("the one wake row", async () => (await activity(approval.id, "approval.requester_wakeup_queued")).length === 1);
    expect(await activity(approval.id, "approval.approved")).toHaveLength(1);
  });
});
