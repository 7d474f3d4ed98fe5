/** The dashboard: one call that counts agents, tasks, spend, approvals and budget stops. */
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";

let t: TestRuntime;

beforeAll(async () => {
  t = await startTestRuntime();
});
afterAll(async () => t?.stop());

const quick = { command: "/bin/true", args: [], cwd: os.tmpdir() };

describe("GET /companies/:id/dashboard", () => {
  it("counts agents and tasks by status, this month's spend against the budget, approvals and budget stops", async () => {
    const cid = (await t.api.createCompany("Dash Co")).id;
    await t.api.patch(`/api/companies/${cid}/budgets`, { budgetMonthlyCents: 1000 });
    const idle = await t.api.createAgent(cid, { name: "idle", adapterConfig: quick });
    const capped = await t.api.createAgent(cid, { name: "capped", adapterConfig: quick });
    const manual = await t.api.createAgent(cid, { name: "manual", adapterConfig: quick });
    await t.api.post(`/api/agents/${manual.id}/pause`, {});
    await t.api.patch(`/api/agents/${capped.id}/budgets`, { budgetMonthlyCents: 100 });
    const cost = (agentId: string, costCents: number) =>
      t.api.post(`/api/companies/${cid}/cost-events`, { agentId, costCents, provider: "anthropic", model: "m", occurredAt: new Date().toISOString() });
    await cost(idle.id, 50);
    await cost(capped.id, 150); // over its own budget: paused, one incident, one pending approval
    await t.runtime.db
      .insertInto("issues")
      .values([
        { companyId: cid, title: "a", status: "todo" },
        { companyId: cid, title: "b", status: "in_progress" },
        { companyId: cid, title: "c", status: "blocked" },
        { companyId: cid, title: "d", status: "done" },
        { companyId: cid, title: "e", status: "cancelled" },
      ])
      .execute();

    const res = await t.api.get(`/api/companies/${cid}/dashboard`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      companyId: cid,
      agents: { active: 1, idle: 1, running: 0, paused: 2, error: 0, byStatus: { idle: 1, paused: 2, terminated: 0 } },
      tasks: { open: 3, inProgress: 1, blocked: 1, done: 1, byStatus: { todo: 1, in_progress: 1, blocked: 1, done: 1, cancelled: 1, backlog: 0 } },
      costs: { monthSpendCents: 200, monthBudgetCents: 1000, monthUtilizationPercent: 20 },
      pendingApprovals: 1,
      budgets: { openIncidents: 1, pendingApprovals: 1, pausedAgents: 1, pausedProjects: 0 },
    });
  });

  it("is readable by the company's agents, 404 for anyone else's company", async () => {
    const cid = (await t.api.createCompany("Dash Mine")).id;
    const other = (await t.api.createCompany("Dash Theirs")).id;
    const agent = await t.api.createAgent(cid, { name: "reader", adapterConfig: quick });
    const asAgent = t.api.as(await t.api.createAgentKey(agent.id));
    expect((await asAgent.get(`/api/companies/${cid}/dashboard`)).body).toMatchObject({ companyId: cid, agents: { active: 1 }, costs: { monthSpendCents: 0, monthBudgetCents: 0, monthUtilizationPercent: 0 } });
    expect((await asAgent.get(`/api/companies/${other}/dashboard`)).status).toBe(404);
    expect((await t.api.get(`/api/companies/00000000-0000-4000-8000-000000000000/dashboard`)).status).toBe(404);
    expect((await t.api.get(`/api/companies/not-a-uuid/dashboard`)).status).toBe(404);
  });
});
