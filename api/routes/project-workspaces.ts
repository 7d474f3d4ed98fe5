/**
 * Project workspaces: where a project's code lives — a local checkout (`cwd`, absolute) and/or a
 * repository (`repoUrl`); one of the two is always required. At most one workspace per project is
 * primary: the first one is, choosing another moves the flag, and deleting the primary promotes
 * the oldest remaining one.
 */
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { sql, type Selectable } from "kysely";
import { z } from "zod";
import { logActivity } from "../../core/activity-log.js";
import { actorRef, type Actor, type ActorRef } from "../../core/auth/actor.js";
import type { CompanyAccess } from "../../core/auth/authz.js";
import { notFound, unprocessable } from "../../core/errors.js";
import type { Db } from "../../db/connection.js";
import type { ProjectTable } from "../../db/schema.js";
import { idParam, parseOrThrow } from "../validation.js";

export const WORKSPACE_SOURCE_TYPES = ["local_path", "git_repo", "remote_managed", "non_git_path"] as const;

const workspaceFields = {
  name: z.string().trim().min(1).max(200),
  sourceType: z.enum(WORKSPACE_SOURCE_TYPES),
  cwd: z.string().trim().min(1).max(4096).refine((v) => path.isAbsolute(v), "cwd must be an absolute path").nullable(),
  repoUrl: z.string().url().max(2048).nullable(),
  repoRef: z.string().max(255).nullable(),
  defaultRef: z.string().max(255).nullable(),
  setupCommand: z.string().max(10_000).nullable(),
  cleanupCommand: z.string().max(10_000).nullable(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  isPrimary: z.boolean(),
};
const hasLocation = (w: { cwd?: string | null | undefined; repoUrl?: string | null | undefined }) => Boolean(w.cwd || w.repoUrl);
const NEEDS_LOCATION = "Workspace requires at least one of cwd (absolute) or repoUrl";

export const createProjectWorkspaceSchema = z.object(workspaceFields).partial().strict().refine(hasLocation, { message: NEEDS_LOCATION, path: ["cwd"] });
export const updateProjectWorkspaceSchema = z.object(workspaceFields).partial().strict();
export type WorkspaceInput = z.infer<typeof createProjectWorkspaceSchema>;

type Project = Selectable<ProjectTable>;
const workspaceId = idParam("workspaceId", "Project workspace not found");

/** A readable default: the checkout's folder name, else the repository's name. */
function defaultName(input: WorkspaceInput): string {
  if (input.cwd) return path.basename(input.cwd) || input.cwd;
  const repo = (input.repoUrl ?? "").replace(/\/+$/, "").split("/").pop()?.replace(/\.git$/, "");
  return repo || "workspace";
}

/** The project row is the lock for its workspaces' primary flag: concurrent changes keep exactly one. */
async function lockProject(trx: Db, projectId: string): Promise<void> {
  await trx.selectFrom("projects").select("id").where("id", "=", projectId).forUpdate().execute();
}

/** Inside the caller's transaction (also used by project create with an inline `workspace`). */
export async function createWorkspace(trx: Db, project: Pick<Project, "id" | "companyId">, input: WorkspaceInput, by: ActorRef) {
  await lockProject(trx, project.id);
  const existing = await trx.selectFrom("project_workspaces").select("id").where("projectId", "=", project.id).execute();
  const isPrimary = input.isPrimary === true || existing.length === 0;
  if (isPrimary && existing.length > 0) await trx.updateTable("project_workspaces").set({ isPrimary: false, updatedAt: sql`now()` }).where("projectId", "=", project.id).where("isPrimary", "=", true).execute();
  const row = await trx
    .insertInto("project_workspaces")
    .values({
      companyId: project.companyId,
      projectId: project.id,
      name: input.name ?? defaultName(input),
      sourceType: input.sourceType ?? (input.cwd ? "local_path" : "git_repo"),
      cwd: input.cwd ?? null,
      repoUrl: input.repoUrl ?? null,
      repoRef: input.repoRef ?? null,
      defaultRef: input.defaultRef ?? null,
      setupCommand: input.setupCommand ?? null,
      cleanupCommand: input.cleanupCommand ?? null,
      metadata: (input.metadata ?? null) as never,
      isPrimary,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await logActivity(trx, { companyId: project.companyId, actor: by, action: "project.workspace_created", entityType: "project", entityId: project.id, details: { workspaceId: row.id, name: row.name, isPrimary } });
  return row;
}

export interface WorkspaceRouteDeps {
  db: Db;
  loadProject: (actor: Actor, params: unknown, access?: CompanyAccess) => Promise<Project>;
}

export function projectWorkspaceRoutes(app: FastifyInstance, { db, loadProject }: WorkspaceRouteDeps): void {
  const loadWorkspace = async (actor: Actor, params: unknown) => {
    const project = await loadProject(actor, params, "write");
    const workspace = await db.selectFrom("project_workspaces").selectAll().where("id", "=", workspaceId(params)).where("projectId", "=", project.id).executeTakeFirst();
    if (!workspace) throw notFound("Project workspace not found");
    return { project, workspace };
  };

  app.get("/api/projects/:id/workspaces", { config: { openapi: { summary: "List project workspaces", auth: "board or agent of the company" } } }, async (req) => {
    const project = await loadProject(req.actor, req.params);
    return db.selectFrom("project_workspaces").selectAll().where("projectId", "=", project.id).orderBy("createdAt").orderBy("id").execute();
  });

  app.post("/api/projects/:id/workspaces", { config: { openapi: { summary: "Create a project workspace", auth: "board (write) or agent of the company", body: createProjectWorkspaceSchema } } }, async (req, reply) => {
    const project = await loadProject(req.actor, req.params, "write");
    const body = parseOrThrow(createProjectWorkspaceSchema, req.body ?? {});
    const workspace = await db.transaction().execute((trx) => createWorkspace(trx, project, body, actorRef(req.actor)));
    return reply.status(201).send(workspace);
  });

  app.patch("/api/projects/:id/workspaces/:workspaceId", { config: { openapi: { summary: "Update a project workspace", auth: "board (write) or agent of the company", body: updateProjectWorkspaceSchema } } }, async (req) => {
    const { project, workspace } = await loadWorkspace(req.actor, req.params);
    const body = parseOrThrow(updateProjectWorkspaceSchema, req.body ?? {});
    if (!hasLocation({ cwd: body.cwd !== undefined ? body.cwd : workspace.cwd, repoUrl: body.repoUrl !== undefined ? body.repoUrl : workspace.repoUrl })) {
      throw unprocessable(NEEDS_LOCATION, { code: "workspace_location_required" });
    }
    return db.transaction().execute(async (trx) => {
      await lockProject(trx, project.id);
      if (body.isPrimary) await trx.updateTable("project_workspaces").set({ isPrimary: false, updatedAt: sql`now()` }).where("projectId", "=", project.id).where("id", "!=", workspace.id).where("isPrimary", "=", true).execute();
      const { metadata, ...plain } = body;
      const row = await trx
        .updateTable("project_workspaces")
        .set({ ...plain, ...(metadata !== undefined ? { metadata: metadata as never } : {}), updatedAt: sql`now()` })
        .where("id", "=", workspace.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await logActivity(trx, { companyId: project.companyId, actor: actorRef(req.actor), action: "project.workspace_updated", entityType: "project", entityId: project.id, details: { workspaceId: row.id, changedKeys: Object.keys(body) } });
      return row;
    });
  });

  app.delete("/api/projects/:id/workspaces/:workspaceId", { config: { openapi: { summary: "Delete a project workspace", auth: "board (write) or agent of the company" } } }, async (req) => {
    const { project, workspace } = await loadWorkspace(req.actor, req.params);
    return db.transaction().execute(async (trx) => {
      await lockProject(trx, project.id);
      const row = await trx.deleteFrom("project_workspaces").where("id", "=", workspace.id).returningAll().executeTakeFirst();
      if (!row) throw notFound("Project workspace not found");
      if (row.isPrimary) {
        // The project keeps a primary checkout as long as it has any workspace.
        const next = await trx.selectFrom("project_workspaces").select("id").where("projectId", "=", project.id).orderBy("createdAt").orderBy("id").executeTakeFirst();
        if (next) await trx.updateTable("project_workspaces").set({ isPrimary: true, updatedAt: sql`now()` }).where("id", "=", next.id).execute();
      }
      await logActivity(trx, { companyId: project.companyId, actor: actorRef(req.actor), action: "project.workspace_deleted", entityType: "project", entityId: project.id, details: { workspaceId: row.id, name: row.name } });
      return row;
    });
  });
}
