/**
 * Cost reports over a date range (default: the current UTC month), read straight from the ledger.
 * Every breakdown sums the same rows, so the parts always add up to the summary.
 */
import { sql, type ExpressionBuilder, type SelectQueryBuilder } from "kysely";
import type { Db } from "../../db/connection.js";
import type { Database } from "../../db/schema.js";
import { monthWindowUtc, utilizationPercent } from "../budgets/windows.js";

export interface CostRange {
  from: Date;
  to: Date;
  /** A caller's `to` is inclusive; the default month end is exclusive. */
  toInclusive: boolean;
}

export function costRange(from?: Date, to?: Date, now: Date = new Date()): CostRange {
  const month = monthWindowUtc(now);
  return { from: from ?? month.start, to: to ?? month.end, toInclusive: to !== undefined };
}

type CostQuery<O> = SelectQueryBuilder<Database, "cost_events", O>;

function inRange<O>(q: CostQuery<O>, companyId: string, range: CostRange): CostQuery<O> {
  return q
    .where("cost_events.companyId", "=", companyId)
    .where("cost_events.occurredAt", ">=", range.from)
    .where("cost_events.occurredAt", range.toInclusive ? "<=" : "<", range.to);
}

const SUBSCRIPTION = sql`('subscription_included', 'subscription_overage')`;

/** The measures every report carries. */
function totals(_eb: ExpressionBuilder<Database, "cost_events">) {
  return [
    sql<number>`coalesce(sum(cost_events.cost_cents), 0)::bigint`.as("costCents"),
    sql<number>`coalesce(sum(cost_events.input_tokens), 0)::bigint`.as("inputTokens"),
    sql<number>`coalesce(sum(cost_events.cached_input_tokens), 0)::bigint`.as("cachedInputTokens"),
    sql<number>`coalesce(sum(cost_events.output_tokens), 0)::bigint`.as("outputTokens"),
    sql<number>`count(*)::int`.as("eventCount"),
    sql<number>`count(distinct case when cost_events.billing_type = 'metered_api' then cost_events.heartbeat_run_id end)::int`.as("apiRunCount"),
    sql<number>`count(distinct case when cost_events.billing_type in ${SUBSCRIPTION} then cost_events.heartbeat_run_id end)::int`.as("subscriptionRunCount"),
  ] as const;
}

const byCostDesc = sql`sum(cost_events.cost_cents) desc`;

export async function costSummary(db: Db, companyId: string, range: CostRange) {
  const company = await db.selectFrom("companies").select(["budgetMonthlyCents"]).where("id", "=", companyId).executeTakeFirst();
  const row = await inRange(db.selectFrom("cost_events").select(totals), companyId, range).executeTakeFirstOrThrow();
  const budgetCents = company?.budgetMonthlyCents ?? 0;
  return {
    companyId,
    from: range.from,
    to: range.to,
    spendCents: row.costCents,
    budgetCents,
    utilizationPercent: utilizationPercent(row.costCents, budgetCents),
    inputTokens: row.inputTokens,
    cachedInputTokens: row.cachedInputTokens,
    outputTokens: row.outputTokens,
    eventCount: row.eventCount,
  };
}

export async function costsByAgent(db: Db, companyId: string, range: CostRange) {
  return inRange(
    db
      .selectFrom("cost_events")
      .leftJoin("agents", "agents.id", "cost_events.agentId")
      .select(["cost_events.agentId", "agents.name as agentName", "agents.status as agentStatus"])
      .select(totals)
      .groupBy(["cost_events.agentId", "agents.name", "agents.status"]),
    companyId,
    range,
  )
    .orderBy(byCostDesc)
    .execute();
}

export async function costsByProvider(db: Db, companyId: string, range: CostRange) {
  return inRange(
    db
      .selectFrom("cost_events")
      .select(["cost_events.provider", "cost_events.biller", "cost_events.billingType", "cost_events.model"])
      .select(totals)
      .groupBy(["cost_events.provider", "cost_events.biller", "cost_events.billingType", "cost_events.model"]),
    companyId,
    range,
  )
    .orderBy(byCostDesc)
    .execute();
}

export async function costsByBiller(db: Db, companyId: string, range: CostRange) {
  return inRange(db.selectFrom("cost_events").select(["cost_events.biller"]).select(totals).groupBy("cost_events.biller"), companyId, range)
    .orderBy(byCostDesc)
    .execute();
}

export async function costsByAgentModel(db: Db, companyId: string, range: CostRange) {
  return inRange(
    db
      .selectFrom("cost_events")
      .leftJoin("agents", "agents.id", "cost_events.agentId")
      .select(["cost_events.agentId", "agents.name as agentName", "cost_events.provider", "cost_events.biller", "cost_events.billingType", "cost_events.model"])
      .select(totals)
      .groupBy(["cost_events.agentId", "agents.name", "cost_events.provider", "cost_events.biller", "cost_events.billingType", "cost_events.model"]),
    companyId,
    range,
  )
    .orderBy("cost_events.provider")
    .orderBy("cost_events.model")
    .orderBy("agentName")
    .execute();
}

/** Costs of a project: reported for it, or for one of its issues. Unattributed costs are left out. */
export async function costsByProject(db: Db, companyId: string, range: CostRange) {
  const projectOf = sql<string>`coalesce(cost_events.project_id, issues.project_id)`;
  return inRange(
    db
      .selectFrom("cost_events")
      .leftJoin("issues", "issues.id", "cost_events.issueId")
      .leftJoin("projects", (join) => join.on(sql<boolean>`projects.id = coalesce(cost_events.project_id, issues.project_id)`))
      .select([projectOf.as("projectId"), "projects.name as projectName"])
      .select(totals)
      .where(projectOf, "is not", null)
      .groupBy([projectOf, "projects.name"]),
    companyId,
    range,
  )
    .orderBy(byCostDesc)
    .execute();
}
