/** Builds the Fastify app: error envelope, then one route module per aggregate. */
import Fastify, { type FastifyInstance } from "fastify";
import type { ApiDeps } from "./deps.js";
import { installErrorHandling } from "./errors.js";
import { installActorResolution } from "./auth/resolve-actor.js";
import { installCsrfGuard } from "./auth/csrf.js";
import { installOpenApi } from "./openapi.js";
import { ROUTE_MODULES } from "./routes/index.js";

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
  // The API speaks JSON only: text/plain (parsed by Fastify by default) is a 415, like any other type.
  app.removeContentTypeParser("text/plain");
  // An empty JSON body means "no fields" (Express, and so Paperclip, treat it that way; clients rely on it).
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => {
    if (body === "") return done(null, undefined);
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(Object.assign(new Error("Malformed JSON body"), { statusCode: 400, code: "FST_ERR_CTP_INVALID_JSON_BODY" }), undefined);
    }
  });
  installErrorHandling(app);
  installActorResolution(app, { db: deps.db, deploymentMode: deps.config.auth.deploymentMode, agentJwtSecret: deps.keys.agentJwtSecret });
  installCsrfGuard(app, deps.config.auth.publicUrl);
  installOpenApi(app, { version: deps.version });
  for (const register of ROUTE_MODULES) register(app, deps);
  await app.ready();
  return app;
}
