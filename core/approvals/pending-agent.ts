/**
 * `POST /api/agents/:id/approve`: the board approves a pending hire from the agent's page. The
 * open `hire_agent` approval (if any) is resolved through the same decision path as from the
 * approvals inbox — so the requester is woken the same way — and the agent ends `idle` either way.
 */
import { sql } from "kysely";
import type { Db } from "../../db/connection.js";
import { getAgent } from "../../db/queries/agents.js";
import type { AgentScheduler } from "../../temporal/agent-scheduler.js";
import { logActivity } from "../activity-log.js";
import { syncSchedule } from "../agent-lifecycle.js";
import { conflict } from "../errors.js";
import { hasTimer, parseHeartbeatPolicy } from "../heartbeat-policy.js";
import { decideApproval, type DecisionInput } from "./decisions.js";
import { findOpenHireApproval } from "./store.js";

export async function approvePendingAgent(db: Db, scheduler: AgentScheduler, agent: { id: string; companyId: string }, input: DecisionInput) {
  const approval = await findOpenHireApproval(db, agent.companyId, agent.id);
  if (approval) await decideApproval(db, scheduler, approval.id, "approved", input);
  const { activated, current } = await db.transaction().execute(async (trx) => {
    // Without an approval (or if it named another agent) the agent is activated here.
    const activated = await trx
      .updateTable("agents")
      .set({ status: "idle", updatedAt: sql`now()` })
      .where("id", "=", agent.id)
      .where("status", "=", "pending_approval")
      .returningAll()
      .executeTakeFirst();
    const current = activated ?? (await getAgent(trx, agent.id));
    if (!current || current.status === "terminated") throw conflict("Only pending approval agents can be approved", { code: "agent_not_pending", status: current?.status ?? null });
    await logActivity(trx, { companyId: agent.companyId, actor: input.by, action: "agent.approved", entityType: "agent", entityId: agent.id, agentId: agent.id, details: { approvalId: approval?.id ?? null, source: "agent_detail" } });
    return { activated, current };
  });
  if (activated && hasTimer(parseHeartbeatPolicy(activated.runtimeConfig))) await syncSchedule(scheduler, activated);
  return current;
}
