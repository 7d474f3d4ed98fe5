/**
 * Turns one documented route into hostile requests. Each case changes ONE thing from a plausible
 * request (a path parameter, a query value, a body field, the content type, the body as a whole), so a
 * failure names its cause. A route's cases are sampled round-robin across categories with a seeded
 * PRNG: the same route list and seed always give the same requests.
 */
import type { FuzzCase, FuzzContext } from "./fuzz-context.js";
import { kindOfField, kindOfParam, type Kind } from "./fuzz-seed.js";
import type { DocumentedRoute, JsonSchema } from "./fuzz-routes.js";
import {
  acceptedTypes, concreteBranch, createRng, deepNestJson, EDGE_NUMBERS, hashSeed, HOSTILE_PATH_SEGMENTS, HOSTILE_QUERY_VALUES,
  HOSTILE_STRINGS, ONE_MB_STRING, sampleObject, UNSTORABLE_STRINGS, WRONG_TYPE_VALUES, type Rng,
} from "./fuzz-values.js";

export type { FuzzCase, FuzzContext } from "./fuzz-context.js";

const BODY_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const JSON_HEADERS = { "content-type": "application/json" };

/** The parameter names of a Fastify path, in order. */
const pathParams = (url: string) => [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);

function idOf(ctx: FuzzContext, kind: Kind | undefined, rng: Rng, source = ctx.pathIds): string {
  const ids = kind ? source.ids[kind] : undefined;
  if (ids && ids.length > 0) return ids[0]!;
  // A kind the seed could not create yet: a well-formed uuid that names nothing.
  return uuidFrom(rng);
}

export function uuidFrom(rng: Rng): string {
  const hex = Array.from({ length: 32 }, () => rng.int(16).toString(16)).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function buildPath(url: string, values: Record<string, string>): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => values[name] ?? "x");
}

function encodeQuery(entries: Array<[string, string | string[]]>): string {
  const parts: string[] = [];
  for (const [k, v] of entries) for (const one of Array.isArray(v) ? v : [v]) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(one)}`);
  return parts.length ? `?${parts.join("&")}` : "";
}

/** Every case for one route as one caller, before sampling, grouped by category. */
function allCases(route: DocumentedRoute, ctx: FuzzContext, rng: Rng): Map<string, FuzzCase[]> {
  const groups = new Map<string, FuzzCase[]>();
  const add = (category: string, label: string, c: Omit<FuzzCase, "category" | "label" | "route">) => {
    const list = groups.get(category) ?? [];
    list.push({ category, label, route: `${route.method} ${route.url}`, ...c, headers: { ...ctx.headers, ...(c.headers ?? {}) } });
    groups.set(category, list);
  };
  const params = pathParams(route.url);
  const routeKind = params.length ? kindOfParam(route.url, params[params.length - 1]!) : undefined;
  const basePathValues = Object.fromEntries(params.map((p) => [p, idOf(ctx, kindOfParam(route.url, p), rng)]));
  const basePath = buildPath(route.url, basePathValues);
  const bodySchema = route.op.requestBody?.content["application/json"].schema;
  const hasBody = BODY_METHODS.has(route.method) && (bodySchema !== undefined || route.method !== "DELETE");
  const idFor = (source: typeof ctx.bodyIds) => (field: string) => idOf(ctx, kindOfField(field, routeKind), rng, source);
  const baseBody = bodySchema ? sampleObject(bodySchema, idFor(ctx.bodyIds), rng) : {};
  const json = (v: unknown) => ({ body: JSON.stringify(v), headers: JSON_HEADERS });
  const base = { method: route.method, path: basePath, ...(hasBody ? json(baseBody) : {}) };

  add("plausible", "plausible request", base);

  // Path parameters, one at a time.
  for (const p of params) {
    const kind = kindOfParam(route.url, p);
    const variants: Record<string, string> = { ...HOSTILE_PATH_SEGMENTS, randomUuid: uuidFrom(rng) };
    for (const other of ["company", "agent", "issue", "run"] as Kind[]) {
      if (other !== kind && ctx.pathIds.ids[other]?.[0]) variants[`${other}IdAs${p}`] = ctx.pathIds.ids[other]![0]!;
    }
    for (const ident of ctx.pathIds.identifiers.slice(0, 1)) {
      variants.realIdentifier = ident;
      variants.realIdentifierLower = ident.toLowerCase();
    }
    for (const [name, value] of Object.entries(variants)) add("path", `${p}=${name}`, { ...base, path: buildPath(route.url, { ...basePathValues, [p]: value }) });
  }

  // Query values: declared ones get every hostile value; undeclared ones must simply be ignored.
  const queryParams = route.op.parameters.filter((p) => p.in === "query").map((p) => p.name);
  for (const q of queryParams) {
    for (const [name, value] of Object.entries(HOSTILE_QUERY_VALUES)) add("query", `?${q}=${name}`, { ...base, path: basePath + encodeQuery([[q, value]]) });
  }
  add("query", "undeclared junk query", { ...base, path: basePath + encodeQuery([["limit", "-1"], ["offset", "abc"], ["status", "' OR 1=1 --"], ["fuzzQueryProbe", ["1", "2"]]]) });

  // Agents send X-Paperclip-Run-Id: a hostile or foreign one must be refused, never trusted.
  if (ctx.runHeaderValues) {
    for (const [name, value] of Object.entries(ctx.runHeaderValues)) add("runHeader", `x-paperclip-run-id=${name}`, { ...base, headers: { "x-paperclip-run-id": value } });
  }

  if (!hasBody) return groups;

  // The whole body: wrong JSON types, malformed JSON, wrong content types, deep nesting.
  for (const [name, text] of Object.entries({ null: "null", array: "[]", string: '"text"', number: "123", boolean: "true" })) {
    add("bodyShape", `body is ${name}`, { ...base, body: text, headers: JSON_HEADERS });
  }
  for (const [name, text] of Object.entries({ truncated: '{"a":', singleQuotes: "{'a':1}", trailingGarbage: '{"a":1}garbage', nulByte: "\u0000", duplicateKeys: '{"name":"a","name":1}', invalidUtf8: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) })) {
    add("malformed", `malformed JSON: ${name}`, { ...base, body: text, headers: JSON_HEADERS });
  }
  for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "application/json; charset=utf-16", "application/vnd.api+json"]) {
    add("contentType", `content-type ${type}`, { ...base, headers: { "content-type": type } });
  }
  add("contentType", "body without content-type", { ...base, headers: {} });
  add("deep", "body nested 5000 arrays deep", { ...base, body: deepNestJson(5000, "array"), headers: JSON_HEADERS });
  add("extra", "unexpected field", { ...base, ...json({ ...baseBody, fuzzUnexpectedField: 1 }) });
  add("extra", "__proto__ pollution", { ...base, body: `{"__proto__":{"polluted":true},${JSON.stringify(baseBody).slice(1)}`.replace(/,}$/, "}"), headers: JSON_HEADERS });
  add("extra", "constructor.prototype", { ...base, ...json({ ...baseBody, constructor: { prototype: { polluted: true } } }) });
  add("extra", "5000 extra fields", { ...base, ...json({ ...baseBody, ...Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`f${i}`, i])) }) });

  const properties = Object.entries((bodySchema ? concreteBranch(bodySchema) : {}).properties ?? {});
  const stringFields = properties.filter(([, s]) => isType(s, "string"));
  // Every string field at once, so each route meets these on its first round whatever the sample.
  if (stringFields.length > 0) {
    for (const [name, value] of Object.entries(UNSTORABLE_STRINGS)) {
      add(`unstorableAll:${name}`, `every string field: ${name}`, { ...base, ...json({ ...baseBody, ...Object.fromEntries(stringFields.map(([f]) => [f, value])) }) });
    }
  }
  // One 1 MB string per route (in a string field, else as an unknown field).
  const bigField = stringFields.length ? rng.pick(stringFields)[0] : "fuzzHuge";
  add("huge", `1 MB ${bigField}`, { ...base, ...json({ ...baseBody, [bigField]: ONE_MB_STRING }) });

  for (const [field, schema] of properties) {
    const withField = (v: unknown) => ({ ...base, ...json({ ...baseBody, [field]: v }) });
    const accepted = acceptedTypes(schema);
    if (accepted !== "any") {
      for (const w of WRONG_TYPE_VALUES.filter((w) => !accepted.has(w.type) && !(w.type === "integer" && accepted.has("number")))) {
        add("wrongType", `${field}: ${JSON.stringify(w.value)}`, withField(w.value));
      }
    }
    if (isType(schema, "string")) {
      for (const [name, value] of Object.entries(HOSTILE_STRINGS)) add("hostileString", `${field}: ${name}`, withField(value));
      for (const [name, value] of Object.entries(UNSTORABLE_STRINGS)) add("unstorable", `${field}: ${name}`, withField(value));
    }
    if (isType(schema, "number") || isType(schema, "integer")) {
      for (const n of EDGE_NUMBERS) add("edgeNumber", `${field}: ${n}`, withField(n));
    }
    if (accepted === "any" || (accepted.has("object") && !concreteBranch(schema).properties)) {
      const text = JSON.stringify({ ...baseBody, [field]: "__deep__" }).replace('"__deep__"', deepNestJson(3000, "object"));
      add("deep", `${field} nested 3000 objects deep`, { ...base, body: text, headers: JSON_HEADERS });
      add("unstorable", `${field}: keys and values with NUL`, withField({ "k\u0000": "v\u0000", "\u202E": "<script>alert(1)</script>" }));
    }
    const uuidKind = kindOfField(field, routeKind);
    if (uuidKind && ctx.foreignIds) {
      const foreign = idOf(ctx, uuidKind, rng, ctx.foreignIds);
      const isList = isType(schema, "array");
      add("foreignRef", `${field} names another company's ${uuidKind}`, withField(isList ? [foreign] : foreign));
    }
  }
  for (const field of bodySchema?.required ?? []) {
    const { [field]: _dropped, ...rest } = baseBody;
    add("missing", `without ${field}`, { ...base, ...json(rest) });
  }
  if (ctx.ownPathIds && params.length > 0 && bodySchema && ctx.foreignIds) {
    // Own-company path with a body pointing into the other company: tenancy through references.
    const ownPath = buildPath(route.url, Object.fromEntries(params.map((p) => [p, idOf(ctx, kindOfParam(route.url, p), rng, ctx.ownPathIds)])));
    add("foreignRef", "own path, body names another company's rows", { ...base, path: ownPath, ...json(sampleObject(bodySchema, idFor(ctx.foreignIds), rng)) });
  }
  return groups;
}

function isType(schema: JsonSchema, type: string): boolean {
  const accepted = acceptedTypes(schema);
  return accepted !== "any" && accepted.has(type) && (type !== "string" || !concreteBranch(schema).enum);
}

/**
 * Up to `budget` cases for the route, taken round-robin across categories from seeded shuffles, so
 * every category is represented before any gets a second case.
 */
export function casesForRoute(route: DocumentedRoute, ctx: FuzzContext, budget: number, seed: number): FuzzCase[] {
  const rng = createRng(hashSeed(`${ctx.identity} ${route.method} ${route.url}`, seed));
  const groups = [...allCases(route, ctx, rng).entries()].map(([, cases]) => rng.shuffle(cases));
  const out: FuzzCase[] = [];
  for (let round = 0; out.length < budget; round++) {
    let took = false;
    for (const g of groups) {
      if (round < g.length && out.length < budget) {
        out.push(g[round]!);
        took = true;
      }
    }
    if (!took) break;
  }
  return out;
}

