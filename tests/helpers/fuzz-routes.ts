/**
 * The route lists the fuzz and OpenAPI tests compare: what Fastify actually registered (read from its
 * router, independently of the OpenAPI hook) and what `GET /api/openapi.json` documents.
 */
import type { FastifyInstance } from "fastify";

export interface RouteRef {
  method: string;
  /** Fastify form: `/api/agents/:id`. */
  url: string;
}

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  parameters: Array<{ name: string; in: "path" | "query"; required: boolean; schema: JsonSchema }>;
  requestBody?: { required: boolean; content: { "application/json": { schema: JsonSchema } } };
  responses: Record<string, unknown>;
}

export interface JsonSchema {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  default?: unknown;
  pattern?: string;
  [key: string]: unknown;
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: Record<string, unknown>;
}

export interface DocumentedRoute extends RouteRef {
  op: OpenApiOperation;
}

const BRANCH = /^((?:[│ ] {3})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/u;

/**
 * Every `/api` route Fastify registered, one entry per method (HEAD/OPTIONS left out), parsed from
 * `printRoutes({ commonPrefix: false })`: each tree line is a path segment under its parent line.
 */
export function registeredApiRoutes(app: FastifyInstance): RouteRef[] {
  const stack: string[] = [];
  const out: RouteRef[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split("\n")) {
    const m = BRANCH.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    const url = stack.join("") + m[2]!;
    stack.push(m[2]!);
    if (!url.startsWith("/api") || !m[3]) continue;
    for (const method of m[3].split(",").map((s) => s.trim())) {
      if (method !== "HEAD" && method !== "OPTIONS") out.push({ method, url });
    }
  }
  return out.sort((a, b) => (a.url + a.method).localeCompare(b.url + b.method));
}

/** `/api/agents/{id}` → `/api/agents/:id`. */
export function toFastifyPath(openApiPath: string): string {
  return openApiPath.replace(/\{([^}]+)\}/g, ":$1");
}

export function documentedRoutes(doc: OpenApiDocument): DocumentedRoute[] {
  const out: DocumentedRoute[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) out.push({ method: method.toUpperCase(), url: toFastifyPath(path), op });
  }
  return out.sort((a, b) => (a.url + a.method).localeCompare(b.url + b.method));
}

export const routeKey = (r: RouteRef) => `${r.method} ${r.url}`;
