/**
 * The hire gate. With `companies.require_board_approval_for_new_agents` set, a hire creates the
 * agent as `pending_approval` (it cannot authenticate, get keys or be woken) together with a
 * `hire_agent` approval; the board's decision activates or terminates it. Without the gate the
 * agent starts `idle` and there is no approval.
 */
import type { Insertable, Selectable } from "kysely";
import { sql } from "kysely";
import { getAdapter, isAdapterTypeDisabled, listAdapterTypes } from "../../adapters/registry.js";
import type { Db } from "../../db/connection.js";
import type { AgentTable } from "../../db/schema.js";
import { logActivity, redactDetails } from "../activity-log.js";
import type { ActorRef } from "../auth/actor.js";
import { unprocessable } from "../errors.js";
import { assertValidManager } from "../org-chart.js";
import { hiredAgentId, payloadOf, UUID_PATTERN, type Approval, type Decision } from "./model.js";
import { linkIssues } from "./store.js";

type Agent = Selectable<AgentTable>;
export type NewAgentValues = Omit<Insertable<AgentTable>, "companyId" | "status">;

export interface HireResult {
  agent: Agent;
  approval: Approval | null;
}

/** 422 for an adapter type Switchboard cannot run or a config it would fail on (same rule as agent create). */
export function assertRunnableAdapter(type: string, config: unknown): void {
  // A disabled type keeps running for the agents that have it, but no new agent gets it.
  if (isAdapterTypeDisabled(type)) throw unprocessable(`Adapter type "${type}" is disabled for new agents`, { code: "adapter_type_disabled", adapterTypes: listAdapterTypes() });
  const adapter = getAdapter(type);
  if (!adapter) throw unprocessable(`Unknown adapter type "${type}"`, { code: "unknown_adapter_type", adapterTypes: listAdapterTypes() });
  const problems = adapter.validateConfig(config);
  if (problems.length > 0) {
    throw unprocessable(`Invalid adapterConfig for ${type}: ${problems.map((p) => p.message).join("; ")}`, { code: "invalid_adapter_config", issues: problems });
  }
}

/** Creates the agent (and, behind the gate, its approval and issue links) in one transaction. */
export async function createHire(
  trx: Db,
  input: { companyId: string; gated: boolean; values: NewAgentValues; sourceIssueIds: string[]; by: ActorRef },
): Promise<HireResult> {
  const { companyId, gated, values, sourceIssueIds, by } = input;
  const agent = await trx
    .insertInto("agents")
    .values({ ...values, companyId, status: gated ? "pending_approval" : "idle" })
    .returningAll()
    .executeTakeFirstOrThrow();
  let approval: Approval | null = null;
  if (gated) {
    // The payload is what the board reviews: the requested configuration, secrets redacted.
    const payload = redactDetails({
      name: agent.name,
      role: agent.role,
      title: agent.title,
      icon: agent.icon,
      reportsTo: agent.reportsTo,
      capabilities: agent.capabilities,
      adapterType: agent.adapterType,
      adapterConfig: agent.adapterConfig,
      runtimeConfig: agent.runtimeConfig,
      budgetMonthlyCents: agent.budgetMonthlyCents,
      metadata: agent.metadata ?? {},
      agentId: agent.id,
      requestedByAgentId: by.actorType === "agent" ? by.actorId : null,
    });
    approval = await trx
      .insertInto("approvals")
      .values({
        companyId,
        type: "hire_agent",
        requestedByAgentId: by.actorType === "agent" ? by.actorId : null,
        requestedByUserId: by.actorType === "user" ? by.actorId : null,
        payload: payload as never,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await linkIssues(trx, companyId, approval.id, sourceIssueIds, by);
  }
  await logActivity(trx, {
    companyId,
    actor: by,
    action: "agent.hire_created",
    entityType: "agent",
    entityId: agent.id,
    details: { name: agent.name, role: agent.role, requiresApproval: gated, approvalId: approval?.id ?? null, issueIds: sourceIssueIds },
  });
  if (approval) {
    await logActivity(trx, { companyId, actor: by, action: "approval.created", entityType: "approval", entityId: approval.id, details: { type: approval.type, linkedAgentId: agent.id, issueIds: sourceIssueIds } });
  }
  return { agent, approval };
}

/** What a hire decision did to the agent, for the follow-up outside the transaction. */
export interface HireOutcome {
  agentId: string | null;
  /** The agent as it is now idle (approved) — its schedule may need pushing. */
  activated: Agent | null;
  terminated: boolean;
  createdFromPayload: boolean;
}

/**
 * Inside the decision's transaction. Approve: activate the pending agent (or, for an approval that
 * names no agent, create it from the payload) and record its monthly budget. Reject: terminate
 * the pending agent. An agent that is no longer pending is left as it is.
 */
export async function applyHireDecision(trx: Db, approval: Approval, decision: Decision, decidedBy: string): Promise<HireOutcome | null> {
  if (approval.type !== "hire_agent") return null;
  const agentId = hiredAgentId(approval);
  if (decision === "rejected") {
    if (!agentId) return null;
    const row = await trx
      .updateTable("agents")
      .set({ status: "terminated", updatedAt: sql`now()` })
      .where("id", "=", agentId)
      .where("companyId", "=", approval.companyId)
      .where("status", "=", "pending_approval")
      .returning("id")
      .executeTakeFirst();
    return { agentId, activated: null, terminated: row !== undefined, createdFromPayload: false };
  }
  let activated: Agent | undefined;
  let createdFromPayload = false;
  if (agentId) {
    activated = await trx
      .updateTable("agents")
      .set({ status: "idle", updatedAt: sql`now()` })
      .where("id", "=", agentId)
      .where("companyId", "=", approval.companyId)
      .where("status", "=", "pending_approval")
      .returningAll()
      .executeTakeFirst();
  } else {
    activated = await createFromPayload(trx, approval);
    createdFromPayload = true;
  }
  if (!activated) return { agentId, activated: null, terminated: false, createdFromPayload };
  const budget = payloadOf(approval).budgetMonthlyCents;
  if (typeof budget === "number" && Number.isInteger(budget) && budget > 0) await upsertAgentBudget(trx, approval.companyId, activated.id, budget, decidedBy);
  return { agentId: activated.id, activated, terminated: false, createdFromPayload };
}

/** A `hire_agent` approval filed directly (no pending agent): the payload describes the agent. */
async function createFromPayload(trx: Db, approval: Approval): Promise<Agent> {
  const p = payloadOf(approval);
  const str = (v: unknown) => (typeof v === "string" && v.trim().length > 0 ? v.trim() : null);
  const obj = (v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
  // An agentId that is not an agent id must not quietly turn into "create a new agent".
  if (p.agentId !== undefined && p.agentId !== null) throw unprocessable("hire_agent payload agentId must be an agent id", { code: "invalid_hire_payload" });
  const name = str(p.name);
  if (!name) throw unprocessable("hire_agent payload needs a name (or an agentId)", { code: "invalid_hire_payload" });
  const adapterType = str(p.adapterType) ?? "process";
  const adapterConfig = obj(p.adapterConfig) ?? {};
  assertRunnableAdapter(adapterType, adapterConfig);
  const reportsTo = str(p.reportsTo);
  if (reportsTo && !UUID_PATTERN.test(reportsTo)) throw unprocessable("hire_agent payload reportsTo must be an agent id", { code: "invalid_hire_payload" });
  await assertValidManager(trx, approval.companyId, null, reportsTo);
  const budget = typeof p.budgetMonthlyCents === "number" && Number.isInteger(p.budgetMonthlyCents) && p.budgetMonthlyCents >= 0 ? p.budgetMonthlyCents : 0;
  return trx
    .insertInto("agents")
    .values({
      companyId: approval.companyId,
      name,
      role: str(p.role) ?? "general",
      title: str(p.title),
      reportsTo,
      capabilities: str(p.capabilities),
      adapterType,
      adapterConfig: adapterConfig as never,
      runtimeConfig: (obj(p.runtimeConfig) ?? {}) as never,
      budgetMonthlyCents: budget,
      metadata: obj(p.metadata) as never,
      status: "idle",
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

async function upsertAgentBudget(trx: Db, companyId: string, agentId: string, amount: number, userId: string): Promise<void> {
  await trx
    .insertInto("budget_policies")
    .values({ companyId, scopeType: "agent", scopeId: agentId, metric: "billed_cents", windowKind: "calendar_month_utc", amount, createdByUserId: userId, updatedByUserId: userId })
    .onConflict((oc) =>
      oc.columns(["companyId", "scopeType", "scopeId", "metric", "windowKind"]).doUpdateSet({ amount, isActive: true, updatedByUserId: userId, updatedAt: sql`now()` }),
    )
    .execute();
}
