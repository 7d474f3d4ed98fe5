/** Builds the Fastify app: error envelope, then one route module per aggregate. */
import Fastify, { type FastifyInstance } from "fastify";
import { HttpError } from "../core/errors.js";
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
    // Errors the router raises before any hook (bad %-encoding, over-long params) get the envelope too.
    frameworkErrors: (error, _req, reply) => {
      const status = typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
      // The reply's generic status type only knows declared response codes; this one is any 4xx.
      const raw = reply as unknown as { status(code: number): { send(body: unknown): unknown } };
      void raw.status(status).send({ error: status === 414 ? "URL parameter is too long" : "Malformed URL", code: error.code });
    },
  });
  // The API speaks JSON only: text/plain (parsed by Fastify by default) is a 415, like any other type.
  app.removeContentTypeParser("text/plain");
  // An empty JSON body means "no fields" (Express, and so Paperclip, treat it that way; clients rely on it).
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => {
    if (body === "") return done(null, undefined);
    // Postgres text cannot hold NUL: refuse it here, once, instead of a 500 from every query.
    if ((body as string).includes("\\u0000") || (body as string).includes("\u0000")) {
      return done(Object.assign(new Error("Strings may not contain NUL (\\u0000) characters"), { statusCode: 400, code: "nul_character" }), undefined);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body as string);
    } catch {
      return done(Object.assign(new Error("Malformed JSON body"), { statusCode: 400, code: "FST_ERR_CTP_INVALID_JSON_BODY" }), undefined);
    }
    // A lone surrogate (`"\ud800"`) is valid JSON but not valid Unicode: Postgres refuses it as json.
    if (!wellFormed(parsed)) {
      return done(Object.assign(new Error("Strings must be well-formed Unicode (no lone surrogates)"), { statusCode: 400, code: "malformed_unicode" }), undefined);
    }
    done(null, parsed);
  });
  installErrorHandling(app);
  app.addHook("onRequest", async (req) => {
    if (/%00/.test(req.url)) throw new HttpError(400, "URLs may not contain NUL (%00) characters", { code: "nul_character" });
  });
  installActorResolution(app, { db: deps.db, deploymentMode: deps.config.auth.deploymentMode, agentJwtSecret: deps.keys.agentJwtSecret });
  installCsrfGuard(app, deps.config.auth.publicUrl);
  installOpenApi(app, { version: deps.version });
  for (const register of ROUTE_MODULES) register(app, deps);
  await app.ready();
  return app;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isWellFormed = (s: string) => !LONE_SURROGATE.test(s);

/** True when every string (keys included) in a parsed JSON value is well-formed UTF-16. */
function wellFormed(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return isWellFormed(value);
  if (depth > 256 || value === null || typeof value !== "object") return true;
  if (Array.isArray(value)) return value.every((v) => wellFormed(v, depth + 1));
  return Object.entries(value).every(([k, v]) => isWellFormed(k) && wellFormed(v, depth + 1));
}
