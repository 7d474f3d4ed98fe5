/**
 * The invocation gate: may this agent start work (for this issue) now? Checked when a wake is
 * requested (a blocked wake is a 409 `budget_blocked`) and again when a queued run is claimed (a
 * blocked run ends `cancelled` with errorCode `budget_blocked`), as Paperclip does at enqueue and
 * claim. Budget pauses never lift themselves, not even at a new month: only a board decision does.
 */
import { sql } from "kysely";
import type { Db } from "../../db/connection.js";
import { logActivity } from "../activity-log.js";
import { conflict } from "../errors.js";
import { publishLiveEvent } from "../live-events.js";
import { BILLED_CENTS, type PolicyRow } from "./policies.js";
import { observedSpend } from "./spend.js";
import { BUDGET_SERVICE_ACTOR } from "./effects.js";

export interface InvocationBlock {
  scopeType: "company" | "agent" | "project";
  scopeId: string;
  scopeName: string;
  cause: "company_paused" | "budget_exhausted";
  reason: string;
}

export interface InvocationContext {
  companyId: string;
  agentId: string;
  issueId?: string | null | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function getInvocationBlock(db: Db, ctx: InvocationContext): Promise<InvocationBlock | null> {
  const company = await db.selectFrom("companies").select(["name", "status", "pauseReason"]).where("id", "=", ctx.companyId).executeTakeFirst();
  if (!company) return null; // nothing to gate: the caller's own lookup answers 404
  if (company.status === "paused") {
    const reason = company.pauseReason === "budget" ? "Company is paused because its budget hard-stop was reached." : "Company is paused and cannot start new work.";
    return { scopeType: "company", scopeId: ctx.companyId, scopeName: company.name, cause: "company_paused", reason };
  }
  const policies = await hardStopPolicies(db, ctx.companyId);
  const over = async (scopeType: string, scopeId: string) => {
    const policy = policies.find((p) => p.scopeType === scopeType && p.scopeId === scopeId);
    return policy ? (await observedSpend(db, policy)) >= policy.amount : false;
  };
  if (await over("company", ctx.companyId)) {
    return { scopeType: "company", scopeId: ctx.companyId, scopeName: company.name, cause: "budget_exhausted", reason: "Company cannot start new work because its budget hard-stop is exceeded." };
  }
  const agent = await db.selectFrom("agents").select(["name", "status", "pauseReason"]).where("id", "=", ctx.agentId).executeTakeFirst();
  if (agent && agent.status === "paused" && agent.pauseReason === "budget") {
    return { scopeType: "agent", scopeId: ctx.agentId, scopeName: agent.name, cause: "budget_exhausted", reason: "Agent is paused because its budget hard-stop was reached." };
  }
  if (agent && (await over("agent", ctx.agentId))) {
    return { scopeType: "agent", scopeId: ctx.agentId, scopeName: agent.name, cause: "budget_exhausted", reason: "Agent cannot start because its budget hard-stop is exceeded." };
  }
  if (!ctx.issueId || !UUID.test(ctx.issueId)) return null;
  const project = await db
    .selectFrom("issues")
    .innerJoin("projects", "projects.id", "issues.projectId")
    .select(["projects.id", "projects.name", "projects.pauseReason", "projects.pausedAt"])
    .where("issues.id", "=", ctx.issueId)
    .where("issues.companyId", "=", ctx.companyId)
    .executeTakeFirst();
  if (!project) return null;
  if ((project.pausedAt && project.pauseReason === "budget") || (await over("project", project.id))) {
    return { scopeType: "project", scopeId: project.id, scopeName: project.name, cause: "budget_exhausted", reason: "Project cannot start work because its budget hard-stop is reached." };
  }
  return null;
}

async function hardStopPolicies(db: Db, companyId: string): Promise<PolicyRow[]> {
  return db
    .selectFrom("budget_policies")
    .selectAll()
    .where("companyId", "=", companyId)
    .where("isActive", "=", true)
    .where("hardStopEnabled", "=", true)
    .where("metric", "=", BILLED_CENTS)
    .where("amount", ">", 0)
    .execute();
}

/** The issue a wake is about, by the same precedence the wake request uses (context, then payload). */
export function issueIdOfWake(input: { context?: Record<string, unknown> | undefined; payload?: Record<string, unknown> | null | undefined }): string | null {
  const fromContext = input.context?.issueId;
  if (typeof fromContext === "string" && fromContext) return fromContext;
  const fromPayload = input.payload?.issueId;
  return typeof fromPayload === "string" && fromPayload ? fromPayload : null;
}

/** For wakes: 409 with code `budget_blocked` and the blocking scope in `details`. */
export async function assertInvocationAllowed(db: Db, ctx: InvocationContext): Promise<void> {
  const block = await getInvocationBlock(db, ctx);
  if (block) throw conflict(block.reason, { code: "budget_blocked", ...block });
}

/**
 * For claims: a queued run whose scope is blocked ends here, `cancelled` with errorCode
 * `budget_blocked`, before anything is spawned. Returns true when it did.
 */
export async function cancelRunIfBudgetBlocked(db: Db, runId: string): Promise<boolean> {
  const run = await db.selectFrom("heartbeat_runs").select(["status", "agentId", "companyId", "contextSnapshot"]).where("id", "=", runId).executeTakeFirst();
  if (!run || run.status !== "queued") return false;
  const issueId = (run.contextSnapshot as Record<string, unknown> | null)?.issueId;
  const block = await getInvocationBlock(db, { companyId: run.companyId, agentId: run.agentId, issueId: typeof issueId === "string" ? issueId : null });
  if (!block) return false;
  return db.transaction().execute(async (trx) => {
    const error = `Budget blocked: ${block.reason}`;
    const cancelled = await trx
      .updateTable("heartbeat_runs")
      .set({ status: "cancelled", finishedAt: sql`now()`, error, errorCode: "budget_blocked", updatedAt: sql`now()` })
      .where("id", "=", runId)
      .where("status", "=", "queued")
      .executeTakeFirst();
    if (Number(cancelled.numUpdatedRows) === 0) return false;
    await trx
      .updateTable("agent_wakeup_requests")
      .set({ status: "cancelled", finishedAt: sql`now()`, error, updatedAt: sql`now()` })
      .where("runId", "=", runId)
      .where("status", "in", ["queued", "claimed"])
      .execute();
    await logActivity(trx, {
      companyId: run.companyId,
      actor: BUDGET_SERVICE_ACTOR,
      action: "heartbeat.cancelled",
      entityType: "heartbeat_run",
      entityId: runId,
      agentId: run.agentId,
      runId,
      details: { errorCode: "budget_blocked", scopeType: block.scopeType, scopeId: block.scopeId, reason: block.reason },
    });
    await publishLiveEvent(trx, run.companyId, "heartbeat.run.status", { runId, agentId: run.agentId, status: "cancelled", error, errorCode: "budget_blocked" });
    return true;
  });
}
