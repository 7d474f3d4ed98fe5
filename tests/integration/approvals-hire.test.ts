/**
 * The hire gate: with `requireBoardApprovalForNewAgents`, hires wait as `pending_approval` agents
 * (no login, no keys, no wakes) with a `hire_agent` approval; approving activates them and wakes the
 * hiring agent, rejecting terminates them. Without the gate a hire is an idle agent at once.
 */
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_KEY_PREFIX, generateToken, hashToken } from "../../core/auth/tokens.js";
import type { ApiClient } from "../helpers/api-client.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";

let t: TestRuntime;
let company: { id: string; issuePrefix: string };
let ceo: { id: string };
let ceoApi: ApiClient;
let workerApi: ApiClient;
let outsiderApi: ApiClient;

const quick = { command: process.execPath, args: ["-e", "console.log('hello')"], cwd: os.tmpdir() };
const hire = (api: ApiClient, body: Record<string, unknown> = {}, companyId = company.id) =>
  api.post(`/api/companies/${companyId}/agent-hires`, { name: `hire-${Math.random().toString(36).slice(2, 7)}`, role: "engineer", adapterType: "process", adapterConfig: quick, ...body });
const agentCount = async () => (await t.api.get(`/api/companies/${company.id}/agents`)).body.length as number;
const activity = (entityId: string, action: string) => t.runtime.db.selectFrom("activity_log").selectAll().where("entityId", "=", entityId).where("action", "=", action).execute();
const setGate = async (on: boolean) => expect((await t.api.patch(`/api/companies/${company.id}`, { requireBoardApprovalForNewAgents: on })).status).toBe(200);

/** A key written straight to the table: the API refuses to mint one for a pending agent. */
async function plantKey(agentId: string, companyId: string): Promise<string> {
  const token = generateToken(AGENT_KEY_PREFIX);
  await t.runtime.db.insertInto("agent_api_keys").values({ agentId, companyId, name: "planted", keyHash: hashToken(token) }).execute();
  return token;
}

beforeAll(async () => {
  t = await startTestRuntime();
  company = await t.api.createCompany("Hiring Co");
  const other = await t.api.createCompany("Other Hiring Co");
  ceo = await t.api.createAgent(company.id, { name: "ceo", role: "ceo", adapterConfig: quick });
  const worker = await t.api.createAgent(company.id, { name: "worker", adapterConfig: quick });
  const outsider = await t.api.createAgent(other.id, { name: "outsider", role: "ceo", adapterConfig: quick });
  ceoApi = t.api.as(await t.api.createAgentKey(ceo.id));
  workerApi = t.api.as(await t.api.createAgentKey(worker.id));
  outsiderApi = t.api.as(await t.api.createAgentKey(outsider.id));
});
afterAll(async () => t?.stop());

describe("without the gate", () => {
  it("a hire is an idle agent and no approval", async () => {
    await setGate(false);
    const res = await hire(ceoApi, { reportsTo: ceo.id });
    expect(res.status).toBe(201);
    expect(res.body.approval).toBeNull();
    expect(res.body.agent).toMatchObject({ status: "idle", reportsTo: ceo.id, companyId: company.id });
    const [row] = await activity(res.body.agent.id, "agent.hire_created");
    expect(row).toMatchObject({ actorType: "agent", actorId: ceo.id, details: { requiresApproval: false, approvalId: null } });
  });
});

describe("with the gate", () => {
  beforeAll(() => setGate(true));

  it("direct agent create answers 409; a hire is pending with a hire_agent approval linked to its source issues", async () => {
    const direct = await t.api.post(`/api/companies/${company.id}/agents`, { name: "direct", adapterType: "process", adapterConfig: quick });
    expect(direct).toMatchObject({ status: 409, body: { code: "board_approval_required" } });

    const issue = await t.runtime.db.insertInto("issues").values({ companyId: company.id, title: "need help", issueNumber: 7001, identifier: `${company.issuePrefix}-7001` }).returningAll().executeTakeFirstOrThrow();
    const res = await hire(ceoApi, { budgetMonthlyCents: 5000, sourceIssueIds: [issue.identifier!.toLowerCase()], adapterConfig: { ...quick, env: { OPENAI_API_KEY: "sk-secret" } } });
    expect(res.status).toBe(201);
    const { agent, approval } = res.body;
    expect(agent.status).toBe("pending_approval");
    expect(approval).toMatchObject({ type: "hire_agent", status: "pending", requestedByAgentId: ceo.id, payload: { agentId: agent.id, budgetMonthlyCents: 5000, name: agent.name } });
    // The board reviews the configuration, never its secrets.
    expect(JSON.stringify(approval.payload)).not.toContain("sk-secret");
    expect((await t.api.get(`/api/approvals/${approval.id}/issues`)).body.map((i: any) => i.id)).toEqual([issue.id]);
    expect(await activity(agent.id, "agent.hire_created")).toHaveLength(1);
    expect(await activity(approval.id, "approval.created")).toHaveLength(1);
  });

  it("a pending agent cannot get keys, authenticate or be woken; approval activates it and wakes the hiring agent", async () => {
    const { agent, approval } = (await hire(ceoApi, { budgetMonthlyCents: 700 })).body;
    expect((await t.api.post(`/api/agents/${agent.id}/keys`, { name: "k" })).status).toBe(409);
    const token = await plantKey(agent.id, company.id);
    expect((await t.api.as(token).get(`/api/agents/${agent.id}`)).status).toBe(401);
    expect((await t.api.post(`/api/agents/${agent.id}/wakeup`, {})).status).toBe(409);

    const res = await t.api.post(`/api/approvals/${approval.id}/approve`, {});
    expect(res.body).toMatchObject({ status: "approved", applied: true });
    expect((await t.api.get(`/api/agents/${agent.id}`)).body.status).toBe("idle");
    expect((await t.api.as(token).get(`/api/agents/${agent.id}`)).status).toBe(200);
    const policy = await t.runtime.db.selectFrom("budget_policies").selectAll().where("scopeType", "=", "agent").where("scopeId", "=", agent.id).executeTakeFirst();
    expect(policy).toMatchObject({ amount: 700, windowKind: "calendar_month_utc", companyId: company.id });

    const [queued] = await activity(approval.id, "approval.requester_wakeup_queued");
    expect(queued?.details).toMatchObject({ requesterAgentId: ceo.id });
    const run = await t.api.waitForRun((queued!.details as any).wakeRunId);
    expect(run).toMatchObject({ agentId: ceo.id, status: "succeeded", contextSnapshot: { approvalId: approval.id, approvalStatus: "approved", wakeReason: "approval_approved" } });
  });

  it("rejection terminates the pending agent and wakes nobody", async () => {
    const { agent, approval } = (await hire(ceoApi)).body;
    const res = await t.api.post(`/api/approvals/${approval.id}/reject`, { decisionNote: "not now" });
    expect(res.body).toMatchObject({ status: "rejected", applied: true });
    expect((await t.api.get(`/api/agents/${agent.id}`)).body.status).toBe("terminated");
    expect(await activity(approval.id, "approval.requester_wakeup_queued")).toHaveLength(0);
    const wakes = (await t.api.get(`/api/agents/${ceo.id}/wakeup-requests?limit=200`)).body as any[];
    expect(wakes.filter((w) => w.payload?.approvalId === approval.id)).toHaveLength(0);
    expect((await t.api.post(`/api/agents/${agent.id}/approve`, {})).status).toBe(409);
  });

  it("POST /agents/:id/approve activates a pending agent and resolves its hire approval; 409 otherwise", async () => {
    const { agent, approval } = (await hire(t.api)).body;
    expect(approval.requestedByUserId).toBe("local-board");
    expect((await ceoApi.post(`/api/agents/${agent.id}/approve`, {})).status).toBe(403);
    expect((await outsiderApi.post(`/api/agents/${agent.id}/approve`, {})).status).toBe(403);
    const res = await t.api.post(`/api/agents/${agent.id}/approve`, {});
    expect(res).toMatchObject({ status: 200, body: { id: agent.id, status: "idle" } });
    expect((await t.api.get(`/api/approvals/${approval.id}`)).body).toMatchObject({ status: "approved", decidedByUserId: "local-board" });
    expect(await activity(agent.id, "agent.approved")).toHaveLength(1);
    expect((await t.api.post(`/api/agents/${agent.id}/approve`, {})).status).toBe(409);
    expect((await t.api.post(`/api/agents/${ceo.id}/approve`, {})).status).toBe(409);
    // The approval is already decided: approving it again changes nothing.
    expect((await t.api.post(`/api/approvals/${approval.id}/approve`, {})).body.applied).toBe(false);
  });

  it("a hire_agent approval filed without an agent creates the agent on approval", async () => {
    const filed = await ceoApi.post(`/api/companies/${company.id}/approvals`, { type: "hire_agent", payload: { name: "from-payload", role: "qa", adapterType: "process", adapterConfig: quick, reportsTo: ceo.id } });
    expect(filed.status).toBe(201);
    const before = await agentCount();
    expect((await t.api.post(`/api/approvals/${filed.body.id}/approve`, {})).body.applied).toBe(true);
    const agents = (await t.api.get(`/api/companies/${company.id}/agents`)).body as any[];
    expect(agents).toHaveLength(before + 1);
    expect(agents.find((a) => a.name === "from-payload")).toMatchObject({ status: "idle", role: "qa", reportsTo: ceo.id });

    // A payload that cannot become an agent is a 422 and the approval stays pending.
    for (const payload of [{ role: "qa" }, { name: "x", adapterType: "nope" }, { name: "x", agentId: "not-an-id" }, { name: "x", reportsTo: "not-an-id" }]) {
      const bad = await ceoApi.post(`/api/companies/${company.id}/approvals`, { type: "hire_agent", payload });
      expect((await t.api.post(`/api/approvals/${bad.body.id}/approve`, {})).status, JSON.stringify(payload)).toBe(422);
      expect((await t.api.get(`/api/approvals/${bad.body.id}`)).body.status).toBe("pending");
    }
    expect(await agentCount()).toBe(before + 1);
  });
});

describe("who may hire", () => {
  it("needs agents:create, the caller's company, a valid body and a runnable adapter — else nothing is created", async () => {
    const before = await agentCount();
    expect((await hire(workerApi)).status).toBe(403);
    expect((await hire(outsiderApi)).status).toBe(404);
    expect((await hire(t.api, {}, "00000000-0000-4000-8000-000000000000")).status).toBe(404);
    for (const body of [{ name: "" }, { adapterConfig: "x" }, { budgetMonthlyCents: -1 }, { unknownField: 1 }, { sourceIssueIds: "ABC-1" }]) {
      const res = await hire(t.api, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await hire(t.api, { adapterType: "martian" })).status).toBe(422);
    expect((await hire(t.api, { reportsTo: "00000000-0000-4000-8000-000000000000" })).status).toBe(422);
    expect((await hire(t.api, { sourceIssueIds: ["ZZZ-404"] })).status).toBe(422);
    expect(await agentCount()).toBe(before);
  });
});
