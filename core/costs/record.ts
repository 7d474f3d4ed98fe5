/** Manual cost reporting (`POST /companies/:id/cost-events`): one ledger row, then the budget rules. */
import type { Selectable } from "kysely";
import type { Db } from "../../db/connection.js";
import type { CostEventTable } from "../../db/schema.js";
import { logActivity } from "../activity-log.js";
import type { ActorRef } from "../auth/actor.js";
import type { BudgetEffects } from "../budgets/effects.js";
import { unprocessable } from "../errors.js";
import { afterCostRecorded } from "./after-cost.js";

export type CostEventRow = Selectable<CostEventTable>;

export interface NewCostEvent {
  agentId: string;
  issueId?: string | null | undefined;
  projectId?: string | null | undefined;
  goalId?: string | null | undefined;
  heartbeatRunId?: string | null | undefined;
  billingCode?: string | null | undefined;
  provider: string;
  biller?: string | null | undefined;
  billingType?: string | null | undefined;
  model: string;
  inputTokens?: number | undefined;
  cachedInputTokens?: number | undefined;
  outputTokens?: number | undefined;
  costCents: number;
  occurredAt: Date;
}

/** Paperclip's normalisation: `api` is metered, `subscription` is included in a plan. */
export function normalizeBillingType(type: string | null | undefined): string {
  if (type === "api") return "metered_api";
  if (type === "subscription") return "subscription_included";
  return type ?? "unknown";
}

export async function recordCostEvent(db: Db, companyId: string, input: NewCostEvent, actor: ActorRef): Promise<{ event: CostEventRow; effects: BudgetEffects }> {
  const refs = await checkReferences(db, companyId, input);
  const billingType = normalizeBillingType(input.billingType);
  return db.transaction().execute(async (trx) => {
    const event = await trx
      .insertInto("cost_events")
      .values({
        companyId,
        agentId: input.agentId,
        issueId: input.issueId ?? null,
        projectId: input.projectId ?? refs.issueProjectId,
        goalId: input.goalId ?? null,
        heartbeatRunId: input.heartbeatRunId ?? null,
        billingCode: input.billingCode ?? null,
        provider: input.provider,
        biller: input.biller ?? input.provider,
        billingType,
        model: input.model,
        inputTokens: input.inputTokens ?? 0,
        cachedInputTokens: input.cachedInputTokens ?? 0,
        outputTokens: input.outputTokens ?? 0,
        // Usage included in a subscription costs nothing extra, whatever the reporter computed.
        costCents: billingType === "subscription_included" ? 0 : input.costCents,
        occurredAt: input.occurredAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await logActivity(trx, {
      companyId,
      actor,
      action: "cost.reported",
      entityType: "cost_event",
      entityId: event.id,
      agentId: event.agentId,
      runId: event.heartbeatRunId ?? actor.runId,
      details: { costCents: event.costCents, provider: event.provider, model: event.model, billingType: event.billingType, occurredAt: event.occurredAt.toISOString() },
    });
    const effects = await afterCostRecorded(trx, { companyId, agentId: event.agentId, projectId: event.projectId });
    return { event, effects };
  });
}

/** Every id the event names must be a row of this company (422 otherwise, as Paperclip does). */
async function checkReferences(db: Db, companyId: string, input: NewCostEvent): Promise<{ issueProjectId: string | null }> {
  const inCompany = async (table: "agents" | "projects" | "goals", id: string | null | undefined, what: string) => {
    if (!id) return;
    const row = await db.selectFrom(table).select("id").where("id", "=", id).where("companyId", "=", companyId).executeTakeFirst();
    if (!row) throw unprocessable(`${what} does not belong to company`, { code: "cost_reference_invalid", field: `${what.toLowerCase()}Id` });
  };
  await inCompany("agents", input.agentId, "Agent");
  await inCompany("projects", input.projectId, "Project");
  await inCompany("goals", input.goalId, "Goal");
  let issueProjectId: string | null = null;
  if (input.issueId) {
    const issue = await db.selectFrom("issues").select(["projectId"]).where("id", "=", input.issueId).where("companyId", "=", companyId).executeTakeFirst();
    if (!issue) throw unprocessable("Issue does not belong to company", { code: "cost_reference_invalid", field: "issueId" });
    issueProjectId = issue.projectId;
  }
  if (input.heartbeatRunId) {
    const run = await db.selectFrom("heartbeat_runs").select(["agentId"]).where("id", "=", input.heartbeatRunId).where("companyId", "=", companyId).executeTakeFirst();
    if (!run) throw unprocessable("Heartbeat run does not belong to company", { code: "cost_reference_invalid", field: "heartbeatRunId" });
    if (run.agentId !== input.agentId) throw unprocessable("Heartbeat run belongs to another agent", { code: "cost_reference_invalid", field: "heartbeatRunId" });
  }
  return { issueProjectId };
}
