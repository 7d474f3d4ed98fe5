/**
 * Projects (Paperclip §7.2) and their workspaces. A project belongs to goals (`goalId` is the first
 * of `goalIds`, kept for Paperclip's older clients), may have a lead agent of the same company, and
 * owns workspaces: a local checkout (`cwd`, absolute) and/or a repository (`repoUrl`). At most one
 * workspace is primary; the first one is, and deleting it promotes the oldest remaining.
 */
import type { FastifyInstance } from "fastify";
import { sql, type Selectable } from "kysely";
import { z } from "zod";
import { logActivity } from "../../core/activity-log.js";
import { actorRef, type Actor } from "../../core/auth/actor.js";
import { assertCompanyAccess, assertRowAccess, type CompanyAccess } from "../../core/auth/authz.js";
import { notFound, unprocessable } from "../../core/errors.js";
import type { Db } from "../../db/connection.js";
import { getAgentInCompany } from "../../db/queries/agents.js";
import { getCompany } from "../../db/queries/companies.js";
import type { ProjectTable } from "../../db/schema.js";
import type { ApiDeps } from "../deps.js";
import { idParam, parseOrThrow } from "../validation.js";
import { createProjectWorkspaceSchema, createWorkspace, projectWorkspaceRoutes } from "./project-workspaces.js";

export const PROJECT_STATUSES = ["backlog", "planned", "in_progress", "completed", "cancelled"] as const;
/** `YYYY-MM-DD` (a full ISO timestamp is cut to its date). */
const targetDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T.*)?$/, "targetDate must be a date (YYYY-MM-DD)")
  .transform((v) => v.slice(0, 10))
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), "targetDate is not a real date");

const projectFields = {
  name: z.string().trim().min(1, "name is required").max(200),
  description: z.string().max(50_000).nullable(),
  status: z.enum(PROJECT_STATUSES),
  goalId: z.string().uuid().nullable(),
  goalIds: z.array(z.string().uuid()).max(50),
  leadAgentId: z.string().uuid().nullable(),
  targetDate: targetDate.nullable(),
  color: z.string().max(32).nullable(),
};

export const createProjectSchema = z
  .object({
    ...projectFields,
    description: projectFields.description.optional(),
    status: projectFields.status.default("backlog"),
    goalId: projectFields.goalId.optional(),
    goalIds: projectFields.goalIds.optional(),
    leadAgentId: projectFields.leadAgentId.optional(),
    targetDate: projectFields.targetDate.optional(),
    color: projectFields.color.optional(),
    workspace: createProjectWorkspaceSchema.optional(),
  })
  .strict();
export const updateProjectSchema = z.object(projectFields).partial().strict();
export const listProjectsQuery = z.object({ status: z.enum(PROJECT_STATUSES).optional() });

const companyId = idParam("companyId", "Company not found");
const projectId = idParam("id", "Project not found");

/** `goalIds` wins over `goalId`; either one sets both. Undefined = unchanged. */
function goalSelection(body: { goalId?: string | null; goalIds?: string[] }): string[] | undefined {
  if (body.goalIds !== undefined) return [...new Set(body.goalIds)];
  if (body.goalId !== undefined) return body.goalId ? [body.goalId] : [];
  return undefined;
}

type Project = Selectable<ProjectTable>;

/** pg reads a `date` as local midnight: hand back the calendar date the column stores. */
function dateOnly(v: Date | string | null): string | null {
  if (v === null || typeof v === "string") return v === null ? null : v.slice(0, 10);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${v.getFullYear()}-${pad(v.getMonth() + 1)}-${pad(v.getDate())}`;
}

/** Projects as the API shows them: with `goalIds` (the primary `goalId` first) and their workspaces. */
async function presentProjects(db: Db, rows: Project[]) {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [links, workspaces] = await Promise.all([
    db.selectFrom("project_goals").select(["projectId", "goalId"]).where("projectId", "in", ids).orderBy("createdAt").orderBy("goalId").execute(),
    db.selectFrom("project_workspaces").selectAll().where("projectId", "in", ids).orderBy("createdAt").orderBy("id").execute(),
  ]);
  return rows.map((project) => {
    const linked = links.filter((l) => l.projectId === project.id).map((l) => l.goalId);
    const goalIds = project.goalId ? [project.goalId, ...linked.filter((g) => g !== project.goalId)] : linked;
    const own = workspaces.filter((w) => w.projectId === project.id);
    return { ...project, targetDate: dateOnly(project.targetDate), goalIds, workspaces: own, primaryWorkspace: own.find((w) => w.isPrimary) ?? null };
  });
}

async function setProjectGoals(trx: Db, project: Pick<Project, "id" | "companyId">, goalIds: string[]): Promise<void> {
  await trx.deleteFrom("project_goals").where("projectId", "=", project.id).execute();
  if (goalIds.length > 0) await trx.insertInto("project_goals").values(goalIds.map((goalId) => ({ projectId: project.id, goalId, companyId: project.companyId }))).execute();
}

/** Goals and the lead agent must belong to the project's company (422 otherwise). */
async function assertValidProjectRefs(db: Db, companyId: string, refs: { goalIds: string[]; leadAgentId?: string | null | undefined }): Promise<void> {
  if (refs.goalIds.length > 0) {
    const found = await db.selectFrom("goals").select("id").where("companyId", "=", companyId).where("id", "in", refs.goalIds).execute();
    if (found.length !== refs.goalIds.length) throw unprocessable("goalId/goalIds must name goals of the same company", { code: "invalid_goal" });
  }
  if (refs.leadAgentId && !(await getAgentInCompany(db, companyId, refs.leadAgentId))) {
    throw unprocessable("leadAgentId must name an agent of the same company", { code: "invalid_lead_agent" });
  }
}

export function projectRoutes(app: FastifyInstance, { db }: ApiDeps): void {
  const loadProject = async (actor: Actor, params: unknown, access: CompanyAccess = "read") =>
    assertRowAccess(actor, await db.selectFrom("projects").selectAll().where("id", "=", projectId(params)).executeTakeFirst(), "Project", access);
  const present = async (id: string) => {
    const [project] = await presentProjects(db, await db.selectFrom("projects").selectAll().where("id", "=", id).execute());
    if (!project) throw notFound("Project not found");
    return project;
  };

  app.get("/api/companies/:companyId/projects", { config: { openapi: { summary: "List projects in a company", auth: "board or agent of the company", query: listProjectsQuery } } }, async (req) => {
    const cid = companyId(req.params);
    assertCompanyAccess(req.actor, cid);
    const q = parseOrThrow(listProjectsQuery, req.query ?? {});
    if (!(await getCompany(db, cid))) throw notFound("Company not found");
    let query = db.selectFrom("projects").selectAll().where("companyId", "=", cid);
    if (q.status) query = query.where("status", "=", q.status);
    return presentProjects(db, await query.orderBy("createdAt").orderBy("id").execute());
  });

  app.post("/api/companies/:companyId/projects", { config: { openapi: { summary: "Create a project (optionally with its first workspace)", auth: "board (write) or agent of the company", body: createProjectSchema } } }, async (req, reply) => {
    const cid = companyId(req.params);
    assertCompanyAccess(req.actor, cid, "write");
    const parsed = parseOrThrow(createProjectSchema, req.body ?? {});
    const { workspace, goalId: _goalId, goalIds: _goalIds, ...body } = parsed;
    if (!(await getCompany(db, cid))) throw notFound("Company not found");
    const goals = goalSelection(parsed) ?? [];
    await assertValidProjectRefs(db, cid, { goalIds: goals, leadAgentId: body.leadAgentId });
    const id = await db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto("projects")
        .values({ companyId: cid, name: body.name, description: body.description ?? null, status: body.status, goalId: goals[0] ?? null, leadAgentId: body.leadAgentId ?? null, targetDate: body.targetDate ?? null, color: body.color ?? null })
        .returningAll()
        .executeTakeFirstOrThrow();
      await setProjectGoals(trx, row, goals);
      await logActivity(trx, { companyId: cid, actor: actorRef(req.actor), action: "project.created", entityType: "project", entityId: row.id, details: { name: row.name, goalIds: goals } });
      if (workspace) await createWorkspace(trx, row, workspace, actorRef(req.actor));
      return row.id;
    });
    return reply.status(201).send(await present(id));
  });

  app.get("/api/projects/:id", { config: { openapi: { summary: "Get a project with its goals and workspaces", auth: "board or agent of the company" } } }, async (req) => present((await loadProject(req.actor, req.params)).id));

  app.patch("/api/projects/:id", { config: { openapi: { summary: "Update a project", auth: "board (write) or agent of the company", body: updateProjectSchema } } }, async (req) => {
    const current = await loadProject(req.actor, req.params, "write");
    const parsed = parseOrThrow(updateProjectSchema, req.body ?? {});
    const { goalId: _goalId, goalIds: _goalIds, ...body } = parsed;
    const goals = goalSelection(parsed);
    await assertValidProjectRefs(db, current.companyId, { goalIds: goals ?? [], leadAgentId: body.leadAgentId });
    await db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable("projects")
        .set({ ...body, ...(goals !== undefined ? { goalId: goals[0] ?? null } : {}), updatedAt: sql`now()` })
        .where("id", "=", current.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      if (goals !== undefined) await setProjectGoals(trx, row, goals);
      const changedKeys = [...Object.keys(body), ...(goals !== undefined ? ["goalIds"] : [])];
      await logActivity(trx, { companyId: row.companyId, actor: actorRef(req.actor), action: "project.updated", entityType: "project", entityId: row.id, details: { changedKeys } });
    });
    return present(current.id);
  });

  app.delete("/api/projects/:id", { config: { openapi: { summary: "Delete a project and its workspaces (issues keep existing without it)", auth: "board (write) or agent of the company" } } }, async (req) => {
    const current = await loadProject(req.actor, req.params, "write");
    const project = await present(current.id);
    await db.transaction().execute(async (trx) => {
      const row = await trx.deleteFrom("projects").where("id", "=", current.id).returning("id").executeTakeFirst();
      if (!row) throw notFound("Project not found");
      await logActivity(trx, { companyId: current.companyId, actor: actorRef(req.actor), action: "project.deleted", entityType: "project", entityId: current.id, details: { name: current.name } });
    });
    return project;
  });

  projectWorkspaceRoutes(app, { db, loadProject });
}
