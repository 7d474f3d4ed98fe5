/** Org chart rules: a manager is another agent of the same company, and `reportsTo` never loops. */
import { sql } from "kysely";
import type { Db } from "../db/connection.js";
import { unprocessable } from "./errors.js";

export async function assertValidManager(db: Db, companyId: string, agentId: string | null, managerId: string | null | undefined): Promise<void> {
  if (!managerId) return;
  if (managerId === agentId) throw unprocessable("An agent cannot report to itself", { code: "invalid_reports_to" });
  const chain = await managerChain(db, companyId, managerId);
  if (chain.length === 0) throw unprocessable("reportsTo must name another agent of the same company", { code: "invalid_reports_to" });
  if (agentId && chain.some((a) => a.id === agentId)) throw unprocessable("reportsTo would create a cycle in the org chart", { code: "org_chart_cycle" });
}

/** The agent itself, then its manager, and so on up (bounded: a corrupt chart cannot loop forever). */
export interface ChainLink {
  id: string;
  name: string;
  role: string;
  title: string | null;
  reportsTo: string | null;
  depth: number;
}

export async function managerChain(db: Db, companyId: string, agentId: string): Promise<ChainLink[]> {
  const { rows } = await sql<ChainLink>`
    with recursive chain as (
      select id, name, role, title, reports_to, 0 as depth from agents where id = ${agentId} and company_id = ${companyId}
      union all
      select a.id, a.name, a.role, a.title, a.reports_to, c.depth + 1
        from agents a join chain c on a.id = c.reports_to
       where a.company_id = ${companyId} and c.depth < 1000
    )
    select id, name, role, title, reports_to as "reportsTo", depth from chain order by depth`.execute(db);
  return rows;
}
