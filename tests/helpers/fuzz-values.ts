/**
 * The fuzz test's raw material: a seeded PRNG (so a failing request can be reproduced exactly), the
 * catalogue of hostile values, and a sampler that turns a route's JSON Schema into a plausible body
 * the hostile variants are then derived from.
 */
import type { JsonSchema } from "./fuzz-routes.js";

/** mulberry32: tiny, fast, good enough to pick cases; the same seed gives the same run. */
export function createRng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick<T>(items: readonly T[]): T {
      return items[Math.floor(next() * items.length)]!;
    },
    shuffle<T>(items: readonly T[]): T[] {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    },
  };
}
export type Rng = ReturnType<typeof createRng>;

/** A stable 32-bit hash of a string, to derive per-route seeds that do not shift when routes are added. */
export function hashSeed(text: string, base = 0): number {
  let h = 2166136261 ^ base;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export const ONE_MB_STRING = "A".repeat(1024 * 1024);

/** Strings that have broken servers before: encodings, injections, markup, control characters. */
export const HOSTILE_STRINGS: Record<string, string> = {
  rtl: "\u202Eevil\u202C مرحبا",
  emoji: "🙂👩‍💻🏳️‍🌈",
  zalgo: "Z\u0351\u0350\u036B\u0363a\u0361l\u034Fg\u0489o",
  bom: "\uFEFFtext",
  lineSeparators: "a\u2028b\u2029c\r\n\t",
  sqlOr: "' OR 1=1 --",
  sqlDrop: "'; drop table issues; --",
  sqlSleep: "1'; select pg_sleep(3); --",
  sqlUnion: "%' union select null, current_user --",
  script: "<script>alert(1)</script>",
  imgOnerror: "\"><img src=x onerror=alert(1)>",
  template: "{{7*7}} ${7*7} #{7*7}",
  pathTraversal: "../../../../etc/passwd",
  blank: "   ",
  empty: "",
  tenKb: "x".repeat(10_000),
};

/** Strings Postgres cannot store as text or jsonb: every route must refuse them with a 4xx, not a 500. */
export const UNSTORABLE_STRINGS: Record<string, string> = {
  nul: "before\u0000after",
  loneHighSurrogate: "x\uD800y",
  loneLowSurrogate: "\uDFFF",
};

/** Path parameter values: not-uuids, identifiers, injections and encodings (already URL-encoded). */
export const HOSTILE_PATH_SEGMENTS: Record<string, string> = {
  notUuid: "not-a-uuid",
  identifier: "ABC-99999",
  lowerIdentifier: "abc-1",
  zero: "0",
  negative: "-1",
  nullWord: "null",
  uuidUpper: "FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF",
  nilUuid: "00000000-0000-0000-0000-000000000000",
  uuidWithSuffix: "00000000-0000-4000-8000-000000000000x",
  sql: encodeURIComponent("' OR 1=1 --"),
  sqlDrop: encodeURIComponent("'; drop table issues; --"),
  script: encodeURIComponent("<script>alert(1)</script>"),
  nul: "a%00b",
  rtl: encodeURIComponent("\u202Eevil"),
  emoji: encodeURIComponent("🙂"),
  badPercent: "%E0%A4%A",
  loneSurrogateBytes: "%ED%A0%80",
  traversal: "..%2F..%2Fetc%2Fpasswd",
  long: "a".repeat(2000),
};

/** Query values for declared query fields: wrong numbers, arrays, injections. */
export const HOSTILE_QUERY_VALUES: Record<string, string | string[]> = {
  negative: "-1",
  zero: "0",
  huge: "1e30",
  beyondInt: "99999999999999999999999",
  fraction: "1.5",
  nan: "NaN",
  infinity: "Infinity",
  word: "abc",
  empty: "",
  array: ["1", "2"],
  sql: "' OR 1=1 --",
  nul: "\u0000",
  long: "q".repeat(5000),
};

/** JSON values of every type; a field gets the ones its schema does not accept. */
export const WRONG_TYPE_VALUES: Array<{ type: string; value: unknown }> = [
  { type: "integer", value: 12345 },
  { type: "number", value: -1.5 },
  { type: "boolean", value: true },
  { type: "null", value: null },
  { type: "string", value: "fuzz-wrong-type" },
  { type: "array", value: [] },
  { type: "array", value: [1, "a", null] },
  { type: "object", value: {} },
  { type: "object", value: { nested: { x: 1 } } },
];

/** Numbers at the edges: negative, huge, fractional, beyond 2^53. */
export const EDGE_NUMBERS = [-1, 0, 1.5, 1e308, -1e308, 2 ** 53 + 2, 2 ** 31];

/**
 * JSON text of arrays or objects nested `depth` levels deep, built as text: JSON.stringify itself
 * recurses and would overflow the test's own stack.
 */
export function deepNestJson(depth: number, kind: "array" | "object"): string {
  return kind === "array" ? "[".repeat(depth) + '"bottom"' + "]".repeat(depth) : '{"n":'.repeat(depth) + '"bottom"' + "}".repeat(depth);
}

/** The JSON types a schema accepts, or "any" when it accepts everything. */
export function acceptedTypes(schema: JsonSchema): Set<string> | "any" {
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) {
    const out = new Set<string>();
    for (const b of branches) {
      const t = acceptedTypes(b);
      if (t === "any") return "any";
      for (const x of t) out.add(x);
    }
    return out;
  }
  if (schema.enum) return new Set(schema.enum.map((v) => jsonType(v)));
  if (schema.const !== undefined) return new Set([jsonType(schema.const)]);
  if (!schema.type) return "any";
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const out = new Set(types);
  if (out.has("number")) out.add("integer");
  return out;
}

export function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/** The first branch of a union that is not `null` (what a real client usually sends). */
export function concreteBranch(schema: JsonSchema): JsonSchema {
  const branches = schema.anyOf ?? schema.oneOf;
  if (!branches) return schema;
  return concreteBranch(branches.find((b) => b.type !== "null") ?? branches[0]!);
}

/**
 * A value a well-behaved client might send for `schema`. `idFor(fieldName)` supplies uuids, so the
 * caller decides whose rows a plausible body points at (its own company's, or another's).
 */
export function sampleValue(schema: JsonSchema, field: string, idFor: (field: string) => string, rng: Rng): unknown {
  const s = concreteBranch(schema);
  if (s.const !== undefined) return s.const;
  if (s.enum && s.enum.length > 0) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
  switch (type) {
    case "string": {
      if (s.format === "uuid") return idFor(field);
      if (s.format === "email") return "fuzz@example.com";
      if (s.format === "date-time") return "2026-01-15T12:00:00.000Z";
      if (s.format === "date") return "2026-01-15";
      if (s.format === "uri" || s.format === "url") return "https://example.com/fuzz";
      if (/color/i.test(field)) return "#336699";
      const text = `fuzz ${field}`;
      const min = s.minLength ?? 0;
      const max = s.maxLength ?? 200;
      return text.padEnd(min, "x").slice(0, Math.max(min, Math.min(max, text.length)));
    }
    case "integer":
    case "number": {
      const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 0);
      const value = Math.max(min, 1);
      return s.maximum !== undefined ? Math.min(value, s.maximum) : value;
    }
    case "boolean":
      return false;
    case "array": {
      if ((s.minItems ?? 0) === 0 || !s.items) return [];
      return [sampleValue(s.items, singular(field), idFor, rng)];
    }
    case "object":
      return sampleObject(s, idFor, rng);
    case "null":
      return null;
    default:
      return `fuzz ${field}`;
  }
}

/** Required fields always, optional ones half the time (seeded), so both shapes get exercised. */
export function sampleObject(schema: JsonSchema, idFor: (field: string) => string, rng: Rng): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const required = new Set(schema.required ?? []);
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    if (required.has(name) || rng.next() < 0.5) out[name] = sampleValue(prop, name, idFor, rng);
  }
  return out;
}

/** `labelIds` → `labelId`, `issueIds` → `issueId`: the element name of a list field. */
export function singular(field: string): string {
  return field.replace(/Ids$/, "Id").replace(/s$/, "");
}
