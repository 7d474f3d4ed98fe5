/**
 * An agent's monthly budget, end to end with real runs: a warning at 80 %, a hard stop at 100 % that
 * pauses the agent and cancels its running run, the gate on new wakes and claims, and the three ways
 * back (raise and resume, approve the override, keep paused).
 */
import os from "node:os";
import path from "node:path";
import { Client, Connection } from "@temporalio/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { agentWorkflowId, stateQuery } from "../../workflows/definitions.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";
import { waitFor } from "../helpers/wait.js";

const fixtures = path.resolve("tests/fixtures");
let t: TestRuntime;
let companyId: string;
let connection: Connection;

beforeAll(async () => {
  t = await startTestRuntime();
  companyId = (await t.api.createCompany("Budget Agents")).id;
  connection = await Connection.connect({ address: inject("temporalAddress") });
});
afterAll(async () => {
  await connection?.close();
  await t?.stop();
});

/** The agent workflow's own view (operators see it in the Temporal UI): is it paused? */
const workflowPaused = async (agentId: string) =>
  (await new Client({ connection }).workflow.getHandle(agentWorkflowId(agentId)).query(stateQuery)).paused;

const sleeper = { command: process.execPath, args: [path.join(fixtures, "sleeper.mjs"), "30"], cwd: os.tmpdir() };
/** A process agent whose run reports `usd` of metered usage through the result file. */
const spender = (usd: number) => ({
  command: process.execPath,
  args: ["-e", `require('fs').writeFileSync(process.env.SWITCHBOARD_RESULT_FILE, JSON.stringify({ usage: { inputTokens: 10, outputTokens: 5 }, costUsd: ${usd}, provider: 'anthropic', model: 'm', billingType: 'api' }))`],
  cwd: os.tmpdir(),
});
const report = (agentId: string, costCents: number) =>
  t.api.post(`/api/companies/${companyId}/cost-events`, { agentId, costCents, provider: "anthropic", model: "m", occurredAt: new Date().toISOString() });
const agentRow = async (id: string) => (await t.api.get(`/api/agents/${id}`)).body;
const overview = async () => (await t.api.get(`/api/companies/${companyId}/budgets/overview`)).body;
const incidentsOf = async (scopeId: string) => (await overview()).activeIncidents.filter((i: any) => i.scopeId === scopeId);
const activity = (entityId: string, action: string) => t.runtime.db.selectFrom("activity_log").selectAll().where("entityId", "=", entityId).where("action", "=", action).execute();

/** An agent with a monthly budget, pushed over it by a reported cost. Returns the hard incident. */
async function overBudget(name: string, budget: number, spend: number) {
  const agent = await t.api.createAgent(companyId, { name, adapterConfig: { command: "/bin/true", args: [], cwd: os.tmpdir() } });
  expect((await t.api.patch(`/api/agents/${agent.id}/budgets`, { budgetMonthlyCents: budget })).status).toBe(200);
  expect((await report(agent.id, spend)).status).toBe(201);
  const [incident] = await incidentsOf(agent.id);
  expect(incident).toMatchObject({ thresholdType: "hard", status: "open", approvalStatus: "pending" });
  return { agent, incident };
}

describe("agent budget thresholds", () => {
  it("warns at 80 %, then at 100 % pauses the agent, cancels its running run and blocks new wakes", async () => {
    const agent = await t.api.createAgent(companyId, { name: "spender", adapterConfig: sleeper });
    const patched = await t.api.patch(`/api/agents/${agent.id}/budgets`, { budgetMonthlyCents: 100 });
    expect(patched.body).toMatchObject({ id: agent.id, budgetMonthlyCents: 100 });
    expect((await overview()).policies.find((p: any) => p.scopeId === agent.id)).toMatchObject({ scopeType: "agent", windowKind: "calendar_month_utc", amount: 100, warnPercent: 80, status: "ok" });

    // 80 %: a soft incident, and nothing else — the agent keeps working.
    expect((await report(agent.id, 80)).status).toBe(201);
    const [soft] = await incidentsOf(agent.id);
    expect(soft).toMatchObject({ thresholdType: "soft", status: "open", approvalId: null, amountObserved: 80, amountLimit: 100 });
    expect(await activity(soft.id, "budget.soft_threshold_crossed")).toHaveLength(1);
    expect((await agentRow(agent.id)).status).toBe("idle");
    const run = await t.api.wake(agent.id);
    await t.api.waitForRun(run.id, 15_000, (r) => r.status === "running");

    // 100 %: hard stop.
    expect((await report(agent.id, 30)).status).toBe(201);
    expect(await agentRow(agent.id)).toMatchObject({ status: "paused", pauseReason: "budget", spentMonthlyCents: 110 });
    expect((await t.api.waitForRun(run.id, 15_000)).status).toBe("cancelled");
    const open = await incidentsOf(agent.id);
    expect(open).toHaveLength(1); // the soft one closed when the hard one opened
    const hard = open[0];
    expect(hard).toMatchObject({ thresholdType: "hard", amountObserved: 110, amountLimit: 100, approvalStatus: "pending" });
    expect(await activity(hard.id, "budget.hard_threshold_crossed")).toHaveLength(1);
    const approval = await t.runtime.db.selectFrom("approvals").selectAll().where("id", "=", hard.approvalId).executeTakeFirstOrThrow();
    expect(approval).toMatchObject({ type: "budget_override_required", status: "pending" });
    expect(approval.payload).toMatchObject({ scopeType: "agent", scopeId: agent.id, scopeName: "spender", budgetAmount: 100, observedAmount: 110, warnPercent: 80, policyId: hard.policyId });
    expect((await overview()).policies.find((p: any) => p.scopeId === agent.id).status).toBe("exceeded");

    const refused = await t.api.post(`/api/agents/${agent.id}/wakeup`, {});
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: "budget_blocked", details: { scopeType: "agent", scopeId: agent.id } });

    // Raising to no more than the spend is refused and changes nothing.
    const low = await t.api.post(`/api/companies/${companyId}/budget-incidents/${hard.id}/resolve`, { action: "raise_budget_and_resume", amount: 110 });
    expect(low.status).toBe(422);
    expect((await agentRow(agent.id)).status).toBe("paused");
    expect(await incidentsOf(agent.id)).toHaveLength(1);

    const raised = await t.api.post(`/api/companies/${companyId}/budget-incidents/${hard.id}/resolve`, { action: "raise_budget_and_resume", amount: 500, decisionNote: "worth it" });
    expect(raised.status).toBe(200);
    expect(raised.body).toMatchObject({ id: hard.id, status: "resolved", approvalStatus: "approved" });
    expect(await agentRow(agent.id)).toMatchObject({ status: "idle", pauseReason: null, budgetMonthlyCents: 500 });
    expect(await activity(hard.id, "budget.incident_resolved")).toHaveLength(1);
    expect((await t.api.post(`/api/companies/${companyId}/budget-incidents/${hard.id}/resolve`, { action: "keep_paused" })).status).toBe(409);

    // Wakes work again.
    const again = await t.api.wake(agent.id);
    await t.api.waitForRun(again.id, 15_000, (r) => r.status === "running");
    await t.api.post(`/api/heartbeat-runs/${again.id}/cancel`);
    expect((await t.api.waitForRun(again.id)).status).toBe("cancelled");
  });

  it("keep_paused dismisses the incident, rejects the approval and leaves the agent paused", async () => {
    const { agent, incident } = await overBudget("kept", 50, 60);
    const res = await t.api.post(`/api/companies/${companyId}/budget-incidents/${incident.id}/resolve`, { action: "keep_paused", decisionNote: "no" });
    expect(res.body).toMatchObject({ status: "dismissed", approvalStatus: "rejected" });
    expect(await agentRow(agent.id)).toMatchObject({ status: "paused", pauseReason: "budget" });
    expect((await t.api.post(`/api/agents/${agent.id}/wakeup`, {})).body.code).toBe("budget_blocked");
    // More spend at the same limit opens no second incident.
    expect((await report(agent.id, 5)).status).toBe(201);
    const all = await t.runtime.db.selectFrom("budget_incidents").select("id").where("scopeId", "=", agent.id).execute();
    expect(all).toHaveLength(1);
  });

  it("approving the budget_override_required approval raises the limit and resumes the agent", async () => {
    const { agent, incident } = await overBudget("approved", 50, 60);
    const res = await t.api.post(`/api/approvals/${incident.approvalId}/approve`, { decisionNote: "go on" });
    expect(res.status).toBe(200);
    expect(await agentRow(agent.id)).toMatchObject({ status: "idle", budgetMonthlyCents: 110 });
    expect(await incidentsOf(agent.id)).toHaveLength(0);
    const run = await t.api.waitForRun((await t.api.wake(agent.id)).id);
    expect(run.status).toBe("succeeded");
  });

  it("rejecting the approval keeps the agent paused", async () => {
    const { agent, incident } = await overBudget("rejected", 50, 60);
    expect((await t.api.post(`/api/approvals/${incident.approvalId}/reject`, {})).status).toBe(200);
    expect((await agentRow(agent.id)).status).toBe("paused");
    const row = await t.runtime.db.selectFrom("budget_incidents").select("status").where("id", "=", incident.id).executeTakeFirstOrThrow();
    expect(row.status).toBe("dismissed");
  });

  it("a run's own reported cost can cross the limit: the agent is paused when the run ends", async () => {
    const agent = await t.api.createAgent(companyId, { name: "run-spender", adapterConfig: spender(0.05) });
    await t.api.patch(`/api/agents/${agent.id}/budgets`, { budgetMonthlyCents: 4 });
    const run = await t.api.waitForRun((await t.api.wake(agent.id)).id);
    expect(run.status).toBe("succeeded");
    expect(await agentRow(agent.id)).toMatchObject({ status: "paused", pauseReason: "budget", spentMonthlyCents: 5 });
    expect(await incidentsOf(agent.id)).toEqual([expect.objectContaining({ thresholdType: "hard", amountObserved: 5 })]);
    expect((await t.api.post(`/api/agents/${agent.id}/wakeup`, {})).body.code).toBe("budget_blocked");
    // The engine follows without the run's finalisation waiting for it.
    await waitFor("the agent workflow paused", () => workflowPaused(agent.id), 15_000);
  });

  it("a run queued for an agent still over its limit is cancelled at claim with errorCode budget_blocked", async () => {
    // A timer agent that spends 5 cents a run against a 4-cent budget: its first run stops it.
    const agent = await t.api.createAgent(companyId, { name: "timer-spender", adapterConfig: spender(0.05), runtimeConfig: { heartbeat: { intervalSec: 1 } } });
    await t.api.patch(`/api/agents/${agent.id}/budgets`, { budgetMonthlyCents: 4 });
    await waitFor("the budget stop", async () => (await agentRow(agent.id)).pauseReason === "budget", 15_000);
    // The run's finalisation pauses the workflow in the background; it gets there by itself.
    await waitFor("the agent workflow paused", () => workflowPaused(agent.id), 15_000);
    // A manual resume lifts the pause but not the limit: wakes are refused, timer runs end at claim.
    expect((await t.api.post(`/api/agents/${agent.id}/resume`, {})).status).toBe(200);
    expect((await t.api.post(`/api/agents/${agent.id}/wakeup`, {})).body.code).toBe("budget_blocked");
    const blocked = await waitFor("a timer run cancelled at claim", async () => {
      const runs = (await t.api.get(`/api/companies/${companyId}/heartbeat-runs?agentId=${agent.id}`)).body as any[];
      return runs.find((r) => r.errorCode === "budget_blocked");
    }, 15_000);
    expect(blocked).toMatchObject({ status: "cancelled", invocationSource: "timer", startedAt: null });
    expect((await t.runtime.db.selectFrom("cost_events").select("id").where("agentId", "=", agent.id).execute()).length).toBe(1);
    await t.api.post(`/api/agents/${agent.id}/pause`, {});
  });
});
