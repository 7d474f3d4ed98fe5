import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { logActivity } from "../../core/activity-log.js";
import { actorRef } from "../../core/auth/actor.js";
import { assertBoard, assertCompanyAccess, assertRowAccess } from "../../core/auth/authz.js";
import { conflict, notFound } from "../../core/errors.js";
import { getCompany } from "../../db/queries/companies.js";
import { DEFAULT_LOG_READ_BYTES, readLog } from "../../db/queries/run-logs.js";
import { getRun, listRuns } from "../../db/queries/runs.js";
import type { ApiDeps } from "../deps.js";
import { idParam, parseOrThrow } from "../validation.js";

const runId = idParam("runId", "Heartbeat run not found");
const companyId = idParam("companyId", "Company not found");

export const runLogQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limitBytes: z.coerce.number().int().min(1).max(4_000_000).default(DEFAULT_LOG_READ_BYTES),
});

export const runListQuery = z.object({
  agentId: z.string().uuid().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export function runRoutes(app: FastifyInstance, { db, scheduler }: ApiDeps): void {
  /** Queued runs end at once; running ones get SIGTERM, `graceSec`, then SIGKILL of the whole group. */
  app.post("/api/heartbeat-runs/:runId/cancel", { config: { openapi: { summary: "Cancel a queued or running run", auth: "board" } } }, async (req) => {
    const id = runId(req.params);
    assertBoard(req.actor);
    const run = assertRowAccess(req.actor, await getRun(db, id), "Heartbeat run", "write");
    if (run.status !== "queued" && run.status !== "running") {
      throw conflict("Only queued or running runs can be cancelled", { code: "run_not_active", status: run.status });
    }
    await scheduler.cancelRun(run.agentId, id);
    await logActivity(db, { companyId: run.companyId, actor: actorRef(req.actor), action: "heartbeat.cancelled", entityType: "heartbeat_run", entityId: id, agentId: run.agentId, runId: id });
    return (await getRun(db, id)) ?? run;
  });

  app.get("/api/heartbeat-runs/:runId", { config: { openapi: { summary: "Get a heartbeat run", auth: "board or agent of the company" } } }, async (req) => assertRowAccess(req.actor, await getRun(db, runId(req.params)), "Heartbeat run"));

  app.get("/api/heartbeat-runs/:runId/log", { config: { openapi: { summary: "Read a run's NDJSON log from a byte offset", auth: "board or agent of the company", query: runLogQuery } } }, async (req) => {
    const id = runId(req.params);
    const q = parseOrThrow(runLogQuery, req.query);
    const run = assertRowAccess(req.actor, await getRun(db, id), "Heartbeat run");
    const { content, nextOffset } = await readLog(db, id, q.offset, q.limitBytes);
    return { runId: id, store: run.logStore ?? "postgres", logRef: run.logRef ?? id, content, nextOffset };
  });

  app.get("/api/companies/:companyId/heartbeat-runs", { config: { openapi: { summary: "List a company's runs (newest first)", auth: "board or agent of the company", query: runListQuery } } }, async (req) => {
    const cid = companyId(req.params);
    assertCompanyAccess(req.actor, cid);
    const q = parseOrThrow(runListQuery, req.query);
    if (!(await getCompany(db, cid))) throw notFound("Company not found");
    return listRuns(db, cid, q);
  });
}
