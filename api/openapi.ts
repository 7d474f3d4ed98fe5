/**
 * `GET /api/openapi.json`, generated from the routes themselves: every registered `/api` route is
 * listed, and a route that declares its zod schemas in `config.openapi` gets its body and query
 * documented from the same schemas that validate requests — the document cannot drift from the code.
 *
 *   app.post("/api/companies/:companyId/issues", { config: { openapi: { summary: "Create an issue", body: createIssueSchema } } }, handler)
 */
import type { FastifyInstance, RouteOptions } from "fastify";
import { z } from "zod";

export interface OpenApiRouteDoc {
  summary?: string;
  tags?: string[];
  body?: z.ZodType;
  query?: z.ZodType;
  /** Who may call it, in words (board, agent, public). */
  auth?: string;
}

declare module "fastify" {
  interface FastifyContextConfig {
    openapi?: OpenApiRouteDoc;
  }
}

interface CollectedRoute {
  method: string;
  url: string;
  doc: OpenApiRouteDoc | undefined;
}

const ERROR_SCHEMA = {
  type: "object",
  properties: { error: { type: "string" }, code: { type: "string" }, details: {} },
  required: ["error"],
};

function jsonSchema(schema: z.ZodType): unknown {
  const out = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  delete out.$schema;
  return out;
}

function toOpenApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}

function tagOf(url: string): string {
  const seg = url.replace(/^\/api\//, "").split("/");
  // /api/companies/:id/issues → issues; /api/issues/:id → issues
  const named = seg.filter((s) => s && !s.startsWith(":"));
  return (named.length > 1 && named[0] === "companies" ? named[1] : named[0]) ?? "misc";
}

/** Call before routes are registered: it records them as they are added. */
export function installOpenApi(app: FastifyInstance, info: { version: string }): void {
  const routes: CollectedRoute[] = [];
  app.addHook("onRoute", (route: RouteOptions) => {
    if (!route.url.startsWith("/api")) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === "HEAD" || method === "OPTIONS") continue;
      routes.push({ method: method.toLowerCase(), url: route.url, doc: (route.config as { openapi?: OpenApiRouteDoc } | undefined)?.openapi });
    }
  });

  let cached: unknown;
  app.get("/api/openapi.json", async () => {
    cached ??= buildDocument(routes, info.version);
    return cached;
  });
}

function buildDocument(routes: CollectedRoute[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of [...routes].sort((a, b) => a.url.localeCompare(b.url))) {
    const path = toOpenApiPath(r.url);
    const params = [...r.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
    const query = r.doc?.query ? jsonSchema(r.doc.query) as { properties?: Record<string, unknown>; required?: string[] } : undefined;
    const queryParams = Object.entries(query?.properties ?? {}).map(([name, schema]) => ({ name, in: "query", required: query?.required?.includes(name) ?? false, schema }));
    paths[path] ??= {};
    paths[path][r.method] = {
      operationId: `${r.method}_${r.url.replace(/^\/api\//, "").replace(/[/:]+/g, "_").replace(/[^A-Za-z0-9_]/g, "")}`,
      summary: r.doc?.summary ?? `${r.method.toUpperCase()} ${r.url}`,
      tags: r.doc?.tags ?? [tagOf(r.url)],
      ...(r.doc?.auth ? { description: `Auth: ${r.doc.auth}` } : {}),
      parameters: [...params, ...queryParams],
      ...(r.doc?.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(r.doc.body) } } } } : {}),
      responses: {
        default: { description: "Success: the resource, or Paperclip's error envelope with a 4xx", content: { "application/json": { schema: {} } } },
        "4XX": { description: "Error envelope", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Switchboard API", version, description: "Paperclip-compatible control plane for teams of AI agents." },
    components: {
      schemas: { Error: ERROR_SCHEMA },
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "Run token (JWT), agent API key (pcp_…) or board API key (pcp_board_…)" },
        session: { type: "apiKey", in: "cookie", name: "switchboard_session" },
      },
    },
    security: [{ bearer: [] }, { session: [] }],
    paths,
  };
}
