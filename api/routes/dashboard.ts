/**
 * The board's landing page in one call: agents and tasks by status, this month's spend against the
 * budget, pending approvals, and what budgets have stopped.
 */
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { assertCompanyAccess } from "../../core/auth/authz.js";
import { monthWindowUtc, utilizationPercent } from "../../core/budgets/windows.js";
import { notFound } from "../../core/errors.js";
import type { Db } from "../../db/connection.js";
import { getCompany } from "../../db/queries/companies.js";
import type { ApiDeps } from "../deps.js";
import { idParam } from "../validation.js";

const companyId = idParam("companyId", "Company not found");

const AGENT_STATUSES = ["active", "idle", "running", "paused", "error", "pending_approval", "terminated"] as const;
const ISSUE_STATUSES = ["backlog", "todo", "in_progress", "in_review", "done", "blocked", "cancelled"] as const;

async function countBy(db: Db, table: "agents" | "issues", cid: string, statuses: readonly string[]): Promise<Record<string, number>> {
  const rows = await db.selectFrom(table).select(["status", sql<number>`count(*)::int`.as("n")]).where("companyId", "=", cid).groupBy("status").execute();
  const counts: Record<string, number> = Object.fromEntries(statuses.map((s) => [s, 0]));
  for (const r of rows) counts[r.status] = r.n;
  return counts;
}

export async function dashboardSummary(db: Db, cid: string, budgetMonthlyCents: number) {
  const agents = await countBy(db, "agents", cid, AGENT_STATUSES);
  const tasks = await countBy(db, "issues", cid, ISSUE_STATUSES);
  const { start, end } = monthWindowUtc();
  const spend = await db
    .selectFrom("cost_events")
    .select(sql<number>`coalesce(sum(cost_cents), 0)::bigint`.as("cents"))
    .where("companyId", "=", cid)
    .where("occurredAt", ">=", start)
    .where("occurredAt", "<", end)
    .executeTakeFirstOrThrow();
  const pending = await db.selectFrom("approvals").select(sql<number>`count(*)::int`.as("n")).where("companyId", "=", cid).where("status", "=", "pending").executeTakeFirstOrThrow();
  const incidents = await db
    .selectFrom("budget_incidents")
    .leftJoin("approvals", "approvals.id", "budget_incidents.approvalId")
    .select([sql<number>`count(*)::int`.as("open"), sql<number>`count(*) filter (where approvals.status = 'pending')::int`.as("pendingApprovals")])
    .where("budget_incidents.companyId", "=", cid)
    .where("budget_incidents.status", "=", "open")
    .executeTakeFirstOrThrow();
  const pausedForBudget = async (table: "agents" | "projects") =>
    (await db.selectFrom(table).select(sql<number>`count(*)::int`.as("n")).where("companyId", "=", cid).where("pauseReason", "=", "budget").executeTakeFirstOrThrow()).n;
  return {
    companyId: cid,
    agents: {
      // Paperclip counts idle agents as active (operational).
      active: (agents.active ?? 0) + (agents.idle ?? 0),
      running: agents.running ?? 0,
      paused: agents.paused ?? 0,
      error: agents.error ?? 0,
      idle: agents.idle ?? 0,
      byStatus: agents,
    },
    tasks: {
      open: Object.entries(tasks).filter(([s]) => s !== "done" && s !== "cancelled").reduce((n, [, c]) => n + c, 0),
      inProgress: tasks.in_progress ?? 0,
      blocked: tasks.blocked ?? 0,
      done: tasks.done ?? 0,
      byStatus: tasks,
    },
    costs: { monthSpendCents: spend.cents, monthBudgetCents: budgetMonthlyCents, monthUtilizationPercent: utilizationPercent(spend.cents, budgetMonthlyCents) },
    pendingApprovals: pending.n,
    budgets: {
      openIncidents: incidents.open,
      activeIncidents: incidents.open,
      pendingApprovals: incidents.pendingApprovals,
      pausedAgents: await pausedForBudget("agents"),
      pausedProjects: await pausedForBudget("projects"),
    },
  };
}

export function dashboardRoutes(app: FastifyInstance, { db }: ApiDeps): void {
  app.get("/api/companies/:companyId/dashboard", { config: { openapi: { summary: "Dashboard: agents, tasks, costs, approvals and budgets at a glance", auth: "board or agent of the company" } } }, async (req) => {
    const cid = companyId(req.params);
    assertCompanyAccess(req.actor, cid);
    const company = await getCompany(db, cid);
    if (!company) throw notFound("Company not found");
    return dashboardSummary(db, cid, company.budgetMonthlyCents);
  });
}
