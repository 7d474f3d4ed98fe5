/** Builds the Fastify app: error envelope, then one route module per aggregate. */
import Fastify, { type FastifyInstance } from "fastify";
import type { ApiDeps } from "./deps.js";
import { installErrorHandling } from "./errors.js";
import { agentRoutes } from "./routes/agents.js";
import { companyRoutes } from "./routes/companies.js";
import { healthRoutes } from "./routes/health.js";
import { runRoutes } from "./routes/runs.js";

export interface BuildAppOptions {
  logger?: boolean | { level: string };
}

export async function buildApp(deps: ApiDeps, opts: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: 10 * 1024 * 1024,
    // Agents and scripts retry; the server never needs to trust client-sent request ids.
    genReqId: () => crypto.randomUUID(),
  });
  installErrorHandling(app);
  healthRoutes(app, deps);
  companyRoutes(app, deps);
  agentRoutes(app, deps);
  runRoutes(app, deps);
  await app.ready();
  return app;
}
