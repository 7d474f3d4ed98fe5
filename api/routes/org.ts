/**
 * `GET /api/companies/:companyId/org`: the org chart as trees built from `reportsTo`. Terminated
 * agents are left out; an agent whose manager is missing or terminated is shown as a root rather
 * than dropped, so every working agent appears exactly once. Cycles cannot exist (core/org-chart.ts
 * refuses them on every write), but the walk would not loop on one anyway.
 */
import type { FastifyInstance } from "fastify";
import { assertCompanyAccess } from "../../core/auth/authz.js";
import { notFound } from "../../core/errors.js";
import { getCompany } from "../../db/queries/companies.js";
import type { ApiDeps } from "../deps.js";
import { idParam } from "../validation.js";

export interface OrgNode {
  id: string;
  name: string;
  role: string;
  title: string | null;
  icon: string | null;
  status: string;
  reports: OrgNode[];
}

interface OrgRow {
  id: string;
  name: string;
  role: string;
  title: string | null;
  icon: string | null;
  status: string;
  reportsTo: string | null;
}

export function buildOrgTree(rows: OrgRow[]): OrgNode[] {
  const nodes = new Map<string, OrgNode>(rows.map((r) => [r.id, { id: r.id, name: r.name, role: r.role, title: r.title, icon: r.icon, status: r.status, reports: [] }]));
  const roots: OrgNode[] = [];
  for (const row of rows) {
    const node = nodes.get(row.id)!;
    const manager = row.reportsTo ? nodes.get(row.reportsTo) : undefined;
    if (manager && manager !== node) manager.reports.push(node);
    else roots.push(node);
  }
  // A corrupt loop would have no root: surface its members instead of hiding them.
  const reachable = new Set<string>();
  const visit = (n: OrgNode) => {
    if (reachable.has(n.id)) return;
    reachable.add(n.id);
    n.reports.forEach(visit);
  };
  roots.forEach(visit);
  for (const row of rows) if (!reachable.has(row.id)) roots.push({ ...nodes.get(row.id)!, reports: [] });
  return roots;
}

const companyId = idParam("companyId", "Company not found");

export function orgRoutes(app: FastifyInstance, { db }: ApiDeps): void {
  app.get("/api/companies/:companyId/org", { config: { openapi: { summary: "Org chart: trees of agents by reportsTo (terminated agents left out)", auth: "board or agent of the company" } } }, async (req) => {
    const cid = companyId(req.params);
    assertCompanyAccess(req.actor, cid);
    if (!(await getCompany(db, cid))) throw notFound("Company not found");
    const rows = await db
      .selectFrom("agents")
      .select(["id", "name", "role", "title", "icon", "status", "reportsTo"])
      .where("companyId", "=", cid)
      .where("status", "!=", "terminated")
      .orderBy("createdAt")
      .orderBy("id")
      .execute();
    return buildOrgTree(rows);
  });
}
