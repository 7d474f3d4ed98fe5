import type { FastifyInstance } from "fastify";
import { pingDb } from "../../db/connection.js";
import type { ApiDeps } from "../deps.js";

/** `GET /api/health`: 200 when Postgres and Temporal both answer, 503 with the same shape otherwise. */
export function healthRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get("/api/health", { config: { openapi: { summary: "Liveness: 200 when Postgres and Temporal answer, 503 otherwise", auth: "public" } } }, async (_req, reply) => {
    const [database, temporal] = await Promise.all([pingDb(deps.db), deps.scheduler.ping()]);
    const ok = database && temporal;
    return reply.status(ok ? 200 : 503).send({
      status: ok ? "ok" : "degraded",
      version: deps.version,
      deploymentMode: deps.config.auth.deploymentMode,
      authReady: true,
      features: { companyDeletionEnabled: deps.config.auth.deploymentMode === "local_trusted" },
      checks: {
        database: database ? "ok" : "unreachable",
        temporal: temporal ? "ok" : "unreachable",
      },
    });
  });
}
