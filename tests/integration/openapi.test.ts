/**
 * `GET /api/openapi.json` is generated from the routes: it must be a well-formed OpenAPI 3.1 document,
 * list every `/api` route the server registered (nothing more, nothing less), and carry the request
 * schemas of the routes that validate a body or a query.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentedRoutes, registeredApiRoutes, routeKey, toFastifyPath, type OpenApiDocument, type RouteRef } from "../helpers/fuzz-routes.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";

let t: TestRuntime;
let doc: OpenApiDocument;
let registered: RouteRef[];

/** Routes that parse a JSON body with a schema (their handlers call parseOrThrow on req.body). */
const BODY_ROUTES = [
  "POST /api/companies",
  "PATCH /api/companies/:companyId",
  "POST /api/companies/:companyId/agents",
  "PATCH /api/agents/:id",
  "POST /api/agents/:id/wakeup",
  "POST /api/agents/:id/pause",
  "POST /api/agents/:id/resume",
  "POST /api/agents/:id/terminate",
  "POST /api/agents/:id/keys",
  "POST /api/companies/:companyId/members",
  "PATCH /api/companies/:companyId/members/:memberId",
  "POST /api/board-api-keys",
  "POST /api/auth/sign-up/email",
  "POST /api/auth/sign-in/email",
];

/** Routes that parse their query string with a schema. */
const QUERY_ROUTES: Record<string, string[]> = {
  "GET /api/agents/:id/wakeup-requests": ["limit"],
  "GET /api/heartbeat-runs/:runId/log": ["offset", "limitBytes"],
  "GET /api/companies/:companyId/heartbeat-runs": ["agentId", "limit"],
};

/** Every route of api/routes/{health,auth,access,companies,agents,agent-keys,runs}.ts. */
const CORE_ROUTES = [
  "GET /api/health",
  "POST /api/auth/sign-up/email",
  "POST /api/auth/sign-in/email",
  "POST /api/auth/sign-out",
  "GET /api/auth/get-session",
  "GET /api/companies/:companyId/members",
  "POST /api/companies/:companyId/members",
  "PATCH /api/companies/:companyId/members/:memberId",
  "DELETE /api/companies/:companyId/members/:memberId",
  "GET /api/board-api-keys",
  "POST /api/board-api-keys",
  "DELETE /api/board-api-keys/:keyId",
  "POST /api/admin/users/:userId/promote-instance-admin",
  "POST /api/admin/users/:userId/demote-instance-admin",
  "GET /api/companies",
  "POST /api/companies",
  "GET /api/companies/:companyId",
  "PATCH /api/companies/:companyId",
  "POST /api/companies/:companyId/archive",
  "GET /api/companies/:companyId/agents",
  "POST /api/companies/:companyId/agents",
  "GET /api/agents/:id",
  "GET /api/agents/:id/config-revisions",
  "PATCH /api/agents/:id",
  "POST /api/agents/:id/wakeup",
  "POST /api/agents/:id/heartbeat/invoke",
  "POST /api/agents/:id/pause",
  "POST /api/agents/:id/resume",
  "POST /api/agents/:id/terminate",
  "GET /api/agents/:id/runtime-state",
  "GET /api/agents/:id/task-sessions",
  "GET /api/agents/:id/wakeup-requests",
  "GET /api/agents/:id/keys",
  "POST /api/agents/:id/keys",
  "DELETE /api/agents/:id/keys/:keyId",
  "POST /api/heartbeat-runs/:runId/cancel",
  "GET /api/heartbeat-runs/:runId",
  "GET /api/heartbeat-runs/:runId/log",
  "GET /api/companies/:companyId/heartbeat-runs",
];

beforeAll(async () => {
  t = await startTestRuntime();
  const res = await t.api.get("/api/openapi.json");
  expect(res.status).toBe(200);
  doc = res.body;
  registered = registeredApiRoutes(t.runtime.app!);
});
afterAll(async () => t?.stop());

describe("document shape", () => {
  it("is OpenAPI 3.1 with info, paths and the error schema", () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(typeof doc.info.title).toBe("string");
    expect(typeof doc.info.version).toBe("string");
    expect(Object.keys(doc.paths).length).toBeGreaterThan(10);
    expect(doc.components).toHaveProperty("schemas.Error.required", ["error"]);
    for (const path of Object.keys(doc.paths)) {
      expect(path.startsWith("/api/"), path).toBe(true);
      // OpenAPI templates, never Fastify's `:param` syntax.
      expect(path, path).not.toMatch(/:/);
    }
  });

  it("every operation has a unique operationId, a summary and responses", () => {
    const ids = new Set<string>();
    for (const r of documentedRoutes(doc)) {
      expect(["GET", "POST", "PUT", "PATCH", "DELETE"], routeKey(r)).toContain(r.method);
      expect(r.op.operationId, routeKey(r)).toMatch(/^[A-Za-z0-9_]+$/);
      expect(ids.has(r.op.operationId), `duplicate operationId ${r.op.operationId}`).toBe(false);
      ids.add(r.op.operationId);
      expect(r.op.summary.length, routeKey(r)).toBeGreaterThan(0);
      expect(Object.keys(r.op.responses).length, routeKey(r)).toBeGreaterThan(0);
    }
  });

  it("every path template parameter is declared once as a required path parameter", () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(ops)) {
        const declared = op.parameters.filter((p) => p.in === "path");
        expect(declared.map((p) => p.name).sort(), `${method} ${path}`).toEqual([...names].sort());
        for (const p of declared) expect(p.required, `${method} ${path} ${p.name}`).toBe(true);
        const all = op.parameters.map((p) => `${p.in}:${p.name}`);
        expect(new Set(all).size, `${method} ${path} repeats a parameter`).toBe(all.length);
        for (const p of op.parameters) expect(typeof p.schema, `${method} ${path} ${p.name}`).toBe("object");
      }
    }
  });

  it("request bodies are JSON objects described by JSON Schema", () => {
    for (const r of documentedRoutes(doc)) {
      if (!r.op.requestBody) continue;
      const schema = r.op.requestBody.content["application/json"].schema;
      expect(schema.type, routeKey(r)).toBe("object");
      expect(schema, routeKey(r)).not.toHaveProperty("$schema");
      expect(typeof schema.properties, routeKey(r)).toBe("object");
    }
  });
});

describe("coverage", () => {
  it("lists exactly the /api routes the server registered", () => {
    const documented = documentedRoutes(doc).map(routeKey);
    const actual = registered.map(routeKey);
    expect(actual.length).toBeGreaterThan(10);
    expect(documented.filter((k) => !actual.includes(k)), "documented but not registered").toEqual([]);
    expect(actual.filter((k) => !documented.includes(k)), "registered but not documented").toEqual([]);
  });

  it("documents the request body of every route that validates one, with its fields", () => {
    const byKey = new Map(documentedRoutes(doc).map((r) => [routeKey(r), r.op]));
    for (const key of BODY_ROUTES) {
      const op = byKey.get(key);
      expect(op, key).toBeDefined();
      expect(op!.requestBody, `${key} has no requestBody`).toBeDefined();
      const schema = op!.requestBody!.content["application/json"].schema;
      // Bodies are strict: unknown fields are refused, and the document says so.
      expect(schema.additionalProperties, key).toBe(false);
    }
    const createCompany = byKey.get("POST /api/companies")!.requestBody!.content["application/json"].schema;
    expect(createCompany.required).toEqual(["name"]);
    expect(Object.keys(createCompany.properties!)).toEqual(expect.arrayContaining(["name", "description", "budgetMonthlyCents"]));
    const wake = byKey.get("POST /api/agents/:id/wakeup")!.requestBody!.content["application/json"].schema;
    expect(wake.properties!.source!.enum).toEqual(["timer", "assignment", "on_demand", "automation"]);
  });

  it("documents the query parameters of the routes that validate a query", () => {
    const byKey = new Map(documentedRoutes(doc).map((r) => [routeKey(r), r.op]));
    for (const [key, names] of Object.entries(QUERY_ROUTES)) {
      const query = byKey.get(key)!.parameters.filter((p) => p.in === "query").map((p) => p.name);
      expect(query, key).toEqual(expect.arrayContaining(names));
    }
  });

  it("every core route is documented with a written summary", () => {
    const byKey = new Map(documentedRoutes(doc).map((r) => [routeKey(r), r]));
    for (const key of CORE_ROUTES) {
      const r = byKey.get(key);
      expect(r, `${key} is not documented`).toBeDefined();
      expect(r!.op.summary, key).not.toBe(`${r!.method} ${r!.url}`);
    }
  });

  it("the document is served as JSON and answers the same twice", async () => {
    const again = await t.api.get("/api/openapi.json");
    expect(again.headers.get("content-type")).toContain("application/json");
    expect(again.body).toEqual(doc);
    expect(toFastifyPath("/api/agents/{id}/keys/{keyId}")).toBe("/api/agents/:id/keys/:keyId");
  });
});
