/**
 * Company and project budgets, the policies endpoint, the month boundary, and every refusal of the
 * budget routes (with nothing changed afterwards).
 */
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BoardActor } from "../../core/auth/actor.js";
import { assertCompanyAccess } from "../../core/auth/authz.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";

const fixtures = path.resolve("tests/fixtures");
let t: TestRuntime;

beforeAll(async () => {
  t = await startTestRuntime();
});
afterAll(async () => t?.stop());

const sleeper = { command: process.execPath, args: [path.join(fixtures, "sleeper.mjs"), "30"], cwd: os.tmpdir() };
const quick = { command: "/bin/true", args: [], cwd: os.tmpdir() };
const report = (companyId: string, body: Record<string, unknown>) =>
  t.api.post(`/api/companies/${companyId}/cost-events`, { provider: "anthropic", model: "m", occurredAt: new Date().toISOString(), ...body });
const overview = async (companyId: string) => (await t.api.get(`/api/companies/${companyId}/budgets/overview`)).body;
const policies = (companyId: string, body: Record<string, unknown>) => t.api.post(`/api/companies/${companyId}/budgets/policies`, body);
const resolve = (companyId: string, incidentId: string, body: Record<string, unknown>) => t.api.post(`/api/companies/${companyId}/budget-incidents/${incidentId}/resolve`, body);

describe("company budget", () => {
  it("a hard stop pauses the company, cancels every agent's running run and blocks all its agents until raised", async () => {
    const cid = (await t.api.createCompany("Company Stop")).id;
    const a = await t.api.createAgent(cid, { name: "a", adapterConfig: quick });
    const b = await t.api.createAgent(cid, { name: "b", adapterConfig: sleeper });
    const patched = await t.api.patch(`/api/companies/${cid}/budgets`, { budgetMonthlyCents: 100 });
    expect(patched.body).toMatchObject({ id: cid, budgetMonthlyCents: 100 });
    const running = await t.api.wake(b.id);
    await t.api.waitForRun(running.id, 15_000, (r) => r.status === "running");

    expect((await report(cid, { agentId: a.id, costCents: 120 })).status).toBe(201);
    expect((await t.api.get(`/api/companies/${cid}`)).body).toMatchObject({ status: "paused", pauseReason: "budget", spentMonthlyCents: 120 });
    expect((await t.api.waitForRun(running.id, 15_000)).status).toBe("cancelled");
    for (const agent of [a, b]) {
      const res = await t.api.post(`/api/agents/${agent.id}/wakeup`, {});
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: "budget_blocked", details: { scopeType: "company", scopeId: cid, cause: "company_paused" } });
      // Only the company is paused: the agents themselves keep their status.
      expect((await t.api.get(`/api/agents/${agent.id}`)).body.pauseReason).toBeNull();
    }
    const [incident] = (await overview(cid)).activeIncidents;
    expect(incident).toMatchObject({ scopeType: "company", scopeId: cid, thresholdType: "hard", approvalStatus: "pending" });

    expect((await resolve(cid, incident.id, { action: "raise_budget_and_resume", amount: 1000 })).status).toBe(200);
    expect((await t.api.get(`/api/companies/${cid}`)).body).toMatchObject({ status: "active", pauseReason: null, budgetMonthlyCents: 1000 });
    expect((await t.api.waitForRun((await t.api.wake(a.id)).id)).status).toBe("succeeded");
    const again = await t.api.wake(b.id);
    await t.api.waitForRun(again.id, 15_000, (r) => r.status === "running");
    await t.api.post(`/api/heartbeat-runs/${again.id}/cancel`);
    await t.api.waitForRun(again.id);
  });

  it("a policy upsert above the spend also resumes a budget-paused company", async () => {
    const cid = (await t.api.createCompany("Upsert Resume")).id;
    const a = await t.api.createAgent(cid, { name: "a", adapterConfig: quick });
    await t.api.patch(`/api/companies/${cid}/budgets`, { budgetMonthlyCents: 10 });
    await report(cid, { agentId: a.id, costCents: 10 });
    expect((await t.api.get(`/api/companies/${cid}`)).body.status).toBe("paused");
    const res = await policies(cid, { scopeType: "company", scopeId: cid, amount: 50 });
    expect(res.body).toMatchObject({ scopeType: "company", amount: 50, observedAmount: 10, status: "ok", paused: false });
    expect((await overview(cid)).activeIncidents).toHaveLength(0);
    expect((await t.api.waitForRun((await t.api.wake(a.id)).id)).status).toBe("succeeded");
  });
});

describe("project budget", () => {
  it("defaults to a lifetime window; crossing it pauses the project and blocks wakes for its issues only", async () => {
    const cid = (await t.api.createCompany("Project Stop")).id;
    const agent = await t.api.createAgent(cid, { name: "p", adapterConfig: quick });
    const project = await t.runtime.db.insertInto("projects").values({ companyId: cid, name: "Moonshot" }).returning("id").executeTakeFirstOrThrow();
    const issue = await t.runtime.db.insertInto("issues").values({ companyId: cid, projectId: project.id, title: "Build it" }).returning("id").executeTakeFirstOrThrow();
    const policy = await policies(cid, { scopeType: "project", scopeId: project.id, amount: 100, warnPercent: 50 });
    expect(policy.status).toBe(200);
    expect(policy.body).toMatchObject({ scopeType: "project", scopeName: "Moonshot", windowKind: "lifetime", amount: 100, warnPercent: 50 });

    // Reported against the issue: counts for its project.
    expect((await report(cid, { agentId: agent.id, issueId: issue.id, costCents: 100 })).status).toBe(201);
    const row = await t.runtime.db.selectFrom("projects").select(["pauseReason", "pausedAt"]).where("id", "=", project.id).executeTakeFirstOrThrow();
    expect(row.pauseReason).toBe("budget");
    expect(row.pausedAt).not.toBeNull();
    const blocked = await t.api.post(`/api/agents/${agent.id}/wakeup`, { payload: { issueId: issue.id } });
    expect(blocked.status).toBe(409);
    expect(blocked.body).toMatchObject({ code: "budget_blocked", details: { scopeType: "project", scopeId: project.id } });
    // Other work of the same agent is not affected.
    expect((await t.api.waitForRun((await t.api.wake(agent.id)).id)).status).toBe("succeeded");
    expect((await overview(cid)).pausedProjectCount).toBe(1);
  });
});

describe("month boundary", () => {
  it("spend dated last month does not count toward a monthly budget", async () => {
    const cid = (await t.api.createCompany("Last Month")).id;
    const agent = await t.api.createAgent(cid, { name: "old-spend", adapterConfig: quick });
    await t.api.patch(`/api/agents/${agent.id}/budgets`, { budgetMonthlyCents: 100 });
    const d = new Date();
    const lastMonth = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 20)).toISOString();
    expect((await report(cid, { agentId: agent.id, costCents: 5000, occurredAt: lastMonth })).status).toBe(201);
    expect((await t.api.get(`/api/agents/${agent.id}`)).body).toMatchObject({ status: "idle", spentMonthlyCents: 0 });
    const ov = await overview(cid);
    expect(ov.activeIncidents).toHaveLength(0);
    expect(ov.policies[0]).toMatchObject({ observedAmount: 0, status: "ok" });
  });
});

describe("refusals change nothing", () => {
  it("validates policy bodies (400), scopes (422) and amounts", async () => {
    const cid = (await t.api.createCompany("Policy Checks")).id;
    const other = (await t.api.createCompany("Policy Other")).id;
    const foreignAgent = await t.api.createAgent(other, { name: "foreign", adapterConfig: quick });
    const agent = await t.api.createAgent(cid, { name: "mine", adapterConfig: quick });
    for (const bad of [
      { scopeType: "agent", scopeId: agent.id, amount: 100, warnPercent: 100 },
      { scopeType: "agent", scopeId: agent.id, amount: 100, warnPercent: 0 },
      { scopeType: "team", scopeId: agent.id, amount: 100 },
      { scopeType: "agent", scopeId: agent.id, amount: -1 },
      { scopeType: "agent", scopeId: agent.id, amount: 100, windowKind: "weekly" },
      { scopeType: "agent", scopeId: "nope", amount: 100 },
    ]) {
      expect((await policies(cid, bad)).status, JSON.stringify(bad)).toBe(400);
    }
    const foreign = await policies(cid, { scopeType: "agent", scopeId: foreignAgent.id, amount: 100 });
    expect(foreign.status).toBe(422);
    expect(foreign.body.code).toBe("budget_scope_invalid");
    expect((await t.api.patch(`/api/companies/${cid}/budgets`, { budgetMonthlyCents: -5 })).status).toBe(400);
    expect((await t.api.patch(`/api/agents/${agent.id}/budgets`, { budgetMonthlyCents: 1.5 })).status).toBe(400);
    expect((await overview(cid)).policies).toHaveLength(0);
    expect((await overview(other)).policies).toHaveLength(0);
    // Amount 0 keeps the policy, switched off.
    expect((await policies(cid, { scopeType: "agent", scopeId: agent.id, amount: 0 })).body).toMatchObject({ isActive: false, status: "ok" });
  });

  it("answers 404 for other companies and unknown incidents, 403 for agents on board actions", async () => {
    const cid = (await t.api.createCompany("Tenancy A")).id;
    const other = (await t.api.createCompany("Tenancy B")).id;
    const agent = await t.api.createAgent(cid, { name: "tenant", adapterConfig: quick });
    await t.api.patch(`/api/agents/${agent.id}/budgets`, { budgetMonthlyCents: 10 });
    await report(cid, { agentId: agent.id, costCents: 20 });
    const [incident] = (await overview(cid)).activeIncidents;
    const asAgent = t.api.as(await t.api.createAgentKey(agent.id));

    expect((await asAgent.get(`/api/companies/${other}/budgets/overview`)).status).toBe(404);
    expect((await asAgent.get(`/api/companies/${cid}/budgets/overview`)).status).toBe(200);
    expect((await t.api.get(`/api/companies/00000000-0000-4000-8000-000000000000/budgets/overview`)).status).toBe(404);
    expect((await resolve(other, incident.id, { action: "keep_paused" })).status).toBe(404);
    expect((await resolve(cid, "00000000-0000-4000-8000-000000000000", { action: "keep_paused" })).status).toBe(404);
    expect((await resolve(cid, incident.id, { action: "shrug" })).status).toBe(400);
    expect((await asAgent.post(`/api/companies/${cid}/budget-incidents/${incident.id}/resolve`, { action: "raise_budget_and_resume", amount: 1000 })).status).toBe(403);
    expect((await asAgent.patch(`/api/agents/${agent.id}/budgets`, { budgetMonthlyCents: 1000 })).status).toBe(403);
    expect((await asAgent.patch(`/api/companies/${cid}/budgets`, { budgetMonthlyCents: 1000 })).status).toBe(403);
    expect((await asAgent.post(`/api/companies/${cid}/budgets/policies`, { scopeType: "agent", scopeId: agent.id, amount: 1000 })).status).toBe(403);
    expect((await t.api.patch(`/api/agents/00000000-0000-4000-8000-000000000000/budgets`, { budgetMonthlyCents: 1 })).status).toBe(404);

    // Still exactly as the hard stop left it.
    expect((await t.api.get(`/api/agents/${agent.id}`)).body).toMatchObject({ status: "paused", pauseReason: "budget", budgetMonthlyCents: 10 });
    expect((await overview(cid)).activeIncidents).toEqual([expect.objectContaining({ id: incident.id, status: "open", approvalStatus: "pending" })]);
  });
});

describe("board roles", () => {
  // Budget changes are "manage" actions; a viewer or operator in authenticated mode needs a whole
  // sign-up flow, and the rule lives in the one helper every budget route calls.
  it("only owners and admins change budgets; viewers and operators may read them", () => {
    const member = (role: BoardActor["memberships"][number]["role"]): BoardActor => ({ type: "board", userId: `u-${role}`, memberships: [{ companyId: "c1", role }], isInstanceAdmin: false, source: "session" });
    expect(() => assertCompanyAccess(member("viewer"), "c1", "manage")).toThrow(/Viewer access is read-only/);
    expect(() => assertCompanyAccess(member("operator"), "c1", "manage")).toThrow(/Owner or admin access required/);
    expect(() => assertCompanyAccess(member("admin"), "c1", "manage")).not.toThrow();
    expect(() => assertCompanyAccess(member("viewer"), "c1", "read")).not.toThrow();
    expect(() => assertCompanyAccess(member("owner"), "c2", "read")).toThrow(/not found/);
  });
});
