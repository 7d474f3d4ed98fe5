/** The budgets page: every policy against its window, the open incidents, what is paused. */
import type { Db } from "../../db/connection.js";
import { listOpenIncidents } from "./incidents.js";
import { summarizePolicy } from "./policies.js";

export async function budgetOverview(db: Db, companyId: string) {
  const rows = await db.selectFrom("budget_policies").selectAll().where("companyId", "=", companyId).orderBy("updatedAt", "desc").execute();
  const policies = await Promise.all(rows.map((row) => summarizePolicy(db, row)));
  const activeIncidents = await listOpenIncidents(db, companyId);
  return {
    companyId,
    policies,
    activeIncidents,
    pausedAgentCount: policies.filter((p) => p.scopeType === "agent" && p.paused).length,
    pausedProjectCount: policies.filter((p) => p.scopeType === "project" && p.paused).length,
    pendingApprovalCount: activeIncidents.filter((i) => i.approvalStatus === "pending").length,
  };
}
