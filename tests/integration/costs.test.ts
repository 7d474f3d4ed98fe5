/**
 * The cost ledger: runs record their usage, agents and the board report costs, spend is recomputed
 * per UTC month, and the reports add up. Everything through the HTTP API, with real runs.
 */
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";

const fixtures = path.resolve("tests/fixtures");
let t: TestRuntime;
let companyId: string;

beforeAll(async () => {
  t = await startTestRuntime();
  companyId = (await t.api.createCompany("Costs Inc")).id;
});
afterAll(async () => t?.stop());

const now = () => new Date().toISOString();
const lastMonth = () => {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 15, 12)).toISOString();
};
const quickAgent = (name: string, cid = companyId) => t.api.createAgent(cid, { name, adapterConfig: { command: "/bin/true", args: [], cwd: os.tmpdir() } });
const report = (body: Record<string, unknown>, cid = companyId, api = t.api) =>
  api.post(`/api/companies/${cid}/cost-events`, { provider: "anthropic", model: "claude-x", occurredAt: now(), ...body });
const ledgerRows = async (agentId: string) => t.runtime.db.selectFrom("cost_events").selectAll().where("agentId", "=", agentId).execute();

describe("costs recorded from runs", () => {
  it("a process agent's reported usage becomes a ledger row and this month's spend of the agent and company", async () => {
    const cid = (await t.api.createCompany("Run Costs")).id;
    const agent = await t.api.createAgent(cid, { name: "sessioned", adapterConfig: { command: process.execPath, args: [path.join(fixtures, "session-agent.mjs"), "0"], cwd: os.tmpdir() } });
    const run = await t.api.waitForRun((await t.api.wake(agent.id)).id);
    expect(run.status).toBe("succeeded");

    const rows = await ledgerRows(agent.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ companyId: cid, heartbeatRunId: run.id, provider: "anthropic", model: "fake-model", billingType: "metered_api", costCents: 2, inputTokens: 100, outputTokens: 50, cachedInputTokens: 10 });
    expect((await t.api.get(`/api/agents/${agent.id}`)).body.spentMonthlyCents).toBe(2);
    expect((await t.api.get(`/api/companies/${cid}`)).body.spentMonthlyCents).toBe(2);
    const summary = (await t.api.get(`/api/companies/${cid}/costs/summary`)).body;
    expect(summary).toMatchObject({ companyId: cid, spendCents: 2, eventCount: 1, inputTokens: 100 });
    const byAgent = (await t.api.get(`/api/companies/${cid}/costs/by-agent`)).body;
    expect(byAgent).toEqual([expect.objectContaining({ agentId: agent.id, agentName: "sessioned", costCents: 2, apiRunCount: 1 })]);
  });
});

describe("POST /companies/:id/cost-events", () => {
  it("records a board-reported cost (201), logs cost.reported and updates spend", async () => {
    const agent = await quickAgent("reported");
    const res = await report({ agentId: agent.id, costCents: 125, inputTokens: 1000, outputTokens: 200, billingType: "api" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ agentId: agent.id, companyId, costCents: 125, billingType: "metered_api", biller: "anthropic", inputTokens: 1000 });
    expect((await t.api.get(`/api/agents/${agent.id}`)).body.spentMonthlyCents).toBe(125);
    const activity = await t.runtime.db.selectFrom("activity_log").selectAll().where("entityId", "=", res.body.id).execute();
    expect(activity).toEqual([expect.objectContaining({ action: "cost.reported", actorType: "user", entityType: "cost_event", agentId: agent.id })]);
  });

  it("lets an agent report its own cost with its key; subscription usage costs 0 cents", async () => {
    const agent = await quickAgent("self-reporter");
    const key = await t.api.createAgentKey(agent.id);
    const res = await report({ agentId: agent.id, costCents: 999, billingType: "subscription" }, companyId, t.api.as(key));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ costCents: 0, billingType: "subscription_included" });
    const activity = await t.runtime.db.selectFrom("activity_log").select(["actorType", "actorId"]).where("entityId", "=", res.body.id).executeTakeFirstOrThrow();
    expect(activity).toEqual({ actorType: "agent", actorId: agent.id });
  });

  it("refuses an agent reporting another agent's cost (403) and writes nothing", async () => {
    const me = await quickAgent("honest");
    const other = await quickAgent("other");
    const res = await report({ agentId: other.id, costCents: 10 }, companyId, t.api.as(await t.api.createAgentKey(me.id)));
    expect(res.status).toBe(403);
    expect(res.body.error).toBe("Agent can only report its own costs");
    expect(await ledgerRows(other.id)).toHaveLength(0);
  });

  it("answers 404 for another company (agent key) and for an unknown company (board)", async () => {
    const foreign = (await t.api.createCompany("Foreign Costs")).id;
    const agent = await quickAgent("home");
    const asAgent = t.api.as(await t.api.createAgentKey(agent.id));
    expect((await report({ agentId: agent.id, costCents: 1 }, foreign, asAgent)).status).toBe(404);
    expect((await asAgent.get(`/api/companies/${foreign}/costs/summary`)).status).toBe(404);
    expect((await report({ agentId: agent.id, costCents: 1 }, "00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await t.api.get(`/api/companies/00000000-0000-4000-8000-000000000000/costs/by-agent`)).status).toBe(404);
    expect(await ledgerRows(agent.id)).toHaveLength(0);
  });

  it("rejects malformed bodies with 400 and writes nothing", async () => {
    const agent = await quickAgent("malformed");
    for (const bad of [
      { agentId: agent.id, costCents: -1 },
      { agentId: agent.id, costCents: 1.5 },
      { agentId: agent.id, costCents: 1, occurredAt: "yesterday" },
      { agentId: agent.id, costCents: 1, provider: "" },
      { agentId: agent.id, costCents: 1, inputTokens: -5 },
      { agentId: "not-a-uuid", costCents: 1 },
      { agentId: agent.id, costCents: 1, surprise: true },
    ]) {
      const res = await report(bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.error).toBe("Validation error");
    }
    expect(await ledgerRows(agent.id)).toHaveLength(0);
    expect((await t.api.get(`/api/agents/${agent.id}`)).body.spentMonthlyCents).toBe(0);
  });

  it("rejects ids from another company with 422 and writes nothing", async () => {
    const foreign = (await t.api.createCompany("Elsewhere")).id;
    const foreignAgent = await quickAgent("elsewhere-agent", foreign);
    const agent = await quickAgent("local");
    const foreignProject = await t.runtime.db.insertInto("projects").values({ companyId: foreign, name: "Their project" }).returning("id").executeTakeFirstOrThrow();
    expect((await report({ agentId: foreignAgent.id, costCents: 1 })).status).toBe(422);
    const res = await report({ agentId: agent.id, projectId: foreignProject.id, costCents: 1 });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("cost_reference_invalid");
    expect((await report({ agentId: agent.id, heartbeatRunId: "00000000-0000-4000-8000-000000000001", costCents: 1 })).status).toBe(422);
    expect(await ledgerRows(agent.id)).toHaveLength(0);
    expect(await ledgerRows(foreignAgent.id)).toHaveLength(0);
  });
});

describe("month boundary and reports", () => {
  it("a cost dated last month does not count toward this month, but a range over last month finds it", async () => {
    const cid = (await t.api.createCompany("Boundary Co")).id;
    const agent = await quickAgent("boundary", cid);
    expect((await report({ agentId: agent.id, costCents: 700, occurredAt: lastMonth() }, cid)).status).toBe(201);
    expect((await report({ agentId: agent.id, costCents: 30 }, cid)).status).toBe(201);
    expect((await t.api.get(`/api/agents/${agent.id}`)).body.spentMonthlyCents).toBe(30);
    expect((await t.api.get(`/api/companies/${cid}`)).body.spentMonthlyCents).toBe(30);
    expect((await t.api.get(`/api/companies/${cid}/costs/summary`)).body.spendCents).toBe(30);
    const d = new Date(lastMonth());
    const from = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)).toISOString();
    const to = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - 1).toISOString();
    expect((await t.api.get(`/api/companies/${cid}/costs/summary?from=${from}&to=${to}`)).body.spendCents).toBe(700);
    expect((await t.api.get(`/api/companies/${cid}/dashboard`)).body.costs.monthSpendCents).toBe(30);
  });

  it("every breakdown adds up to the summary", async () => {
    const cid = (await t.api.createCompany("Reports Co")).id;
    await t.api.patch(`/api/companies/${cid}/budgets`, { budgetMonthlyCents: 10_000 });
    const a = await quickAgent("alpha", cid);
    const b = await quickAgent("beta", cid);
    const project = await t.runtime.db.insertInto("projects").values({ companyId: cid, name: "Apollo" }).returning("id").executeTakeFirstOrThrow();
    const issue = await t.runtime.db.insertInto("issues").values({ companyId: cid, projectId: project.id, title: "Launch" }).returning("id").executeTakeFirstOrThrow();
    const events = [
      { agentId: a.id, costCents: 100, provider: "anthropic", model: "opus", billingType: "api", issueId: issue.id },
      { agentId: a.id, costCents: 50, provider: "openai", model: "gpt", billingType: "api", projectId: project.id },
      { agentId: b.id, costCents: 25, provider: "anthropic", model: "opus", billingType: "api" },
      { agentId: b.id, costCents: 0, provider: "anthropic", model: "sonnet", billingType: "subscription_included", inputTokens: 500 },
    ];
    for (const e of events) expect((await report(e, cid)).status).toBe(201);

    const get = async (p: string) => (await t.api.get(`/api/companies/${cid}/costs/${p}`)).body as any;
    const sum = (rows: Array<{ costCents: number }>) => rows.reduce((n, r) => n + r.costCents, 0);
    const summary = await get("summary");
    expect(summary).toMatchObject({ spendCents: 175, budgetCents: 10_000, utilizationPercent: 1.75, eventCount: 4 });
    expect(sum(await get("by-agent"))).toBe(175);
    expect(sum(await get("by-provider"))).toBe(175);
    expect(sum(await get("by-biller"))).toBe(175);
    expect(sum(await get("by-agent-model"))).toBe(175);
    expect(await get("by-agent")).toEqual([expect.objectContaining({ agentId: a.id, costCents: 150 }), expect.objectContaining({ agentId: b.id, costCents: 25 })]);
    // The issue's cost counts for its project, as does the cost reported for the project itself.
    expect(await get("by-project")).toEqual([expect.objectContaining({ projectId: project.id, projectName: "Apollo", costCents: 150 })]);
    expect((await get("by-agent-model")).find((r: any) => r.agentId === a.id && r.model === "opus")).toMatchObject({ costCents: 100, provider: "anthropic" });
  });

  it("rejects a malformed range with 400", async () => {
    expect((await t.api.get(`/api/companies/${companyId}/costs/summary?from=soon`)).status).toBe(400);
    expect((await t.api.get(`/api/companies/${companyId}/costs/by-agent?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z`)).status).toBe(400);
    expect((await t.api.get(`/api/companies/${companyId}/costs/summary?from=2026-03-01&to=2026-03-31`)).status).toBe(200);
  });
});
