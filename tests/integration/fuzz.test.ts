/**
 * Request fuzz over every documented /api route (GET /api/openapi.json), as three callers:
 *   - an agent key of company A aiming at company B's ids,
 *   - a garbage bearer token,
 *   - the board, aiming at company A (the board may touch anything, so B stays out of its paths).
 * Each request changes one thing from a plausible one: wrong JSON types, missing or extra fields,
 * 1 MB strings, deep nesting, hostile unicode, SQL and script fragments, odd path ids, bad query
 * values, wrong content types, malformed JSON. Expected: never a 5xx, every 4xx in the
 * `{error, code?, details?}` envelope, no 2xx on another company's ids, and company B's rows —
 * read straight from Postgres — exactly as they were. Seeded: a failure reproduces with the same list.
 *
 * FUZZ_SEED=n picks another sample, FUZZ_BUDGET=n sends about n requests (default 5000; a deep run of
 * 25000 takes a few minutes), FUZZ_REPORT=file appends every finding to a file (assertion diffs truncate).
 */
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { casesForRoute, type FuzzCase, type FuzzContext } from "../helpers/fuzz-cases.js";
import { closeFuzzAgent, envelopeExtras, responseProblem, sendRaw, type RawResponse } from "../helpers/fuzz-http.js";
import { documentedRoutes, routeKey, type DocumentedRoute, type OpenApiDocument } from "../helpers/fuzz-routes.js";
import { seedCompany, type SeededCompany } from "../helpers/fuzz-seed.js";
import { snapshotCompany, type CompanySnapshot } from "../helpers/fuzz-snapshot.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";
import { sleep } from "../helpers/wait.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20260325);
/** Requests over all routes and callers; a few thousand keeps the file well under 90 s. */
const TOTAL_BUDGET = Number(process.env.FUZZ_BUDGET ?? 5000);
const SHARE = { agent: 0.4, garbage: 0.15, board: 0.45 };

let t: TestRuntime;
let a: SeededCompany;
let b: SeededCompany;
let routes: DocumentedRoute[];
let before: CompanySnapshot;
/** 4xx envelopes with keys beyond error/code/details, from every pass (checked in their own test). */
const extraKeys: string[] = [];
const databaseUrl = () => inject("databaseUrl");

interface Outcome {
  c: FuzzCase;
  res?: RawResponse;
  error?: string;
}

function describeCase(identity: string, c: FuzzCase, detail: string): string {
  const body = c.body === undefined ? "" : ` body=${(Buffer.isBuffer(c.body) ? c.body.toString("hex") : c.body).slice(0, 160)}`;
  return `[${identity}] ${c.method} ${c.path.slice(0, 160)} (${c.category}: ${c.label})${body} → ${detail}`;
}

/**
 * Sends the cases, `concurrency` at a time. A request that never answers is a finding; so the file
 * stays bounded when one does, the route that hung gets no more cases and later requests wait less.
 */
async function runCases(cases: FuzzCase[], concurrency: number): Promise<Outcome[]> {
  const out: Outcome[] = [];
  const hungRoutes = new Set<string>();
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < cases.length; i = next++) {
      const c = cases[i]!;
      if (hungRoutes.has(c.route)) continue;
      try {
        const res = await sendRaw(t.baseUrl, { method: c.method, path: c.path, headers: c.headers, body: c.body }, hungRoutes.size ? 3_000 : 10_000);
        out.push({ c, res });
      } catch (err) {
        out.push({ c, error: err instanceof Error ? err.message : String(err) });
        if (/no answer within/.test(String(err))) hungRoutes.add(c.route);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

function planFor(ctx: FuzzContext, share: number, order: (rs: DocumentedRoute[]) => DocumentedRoute[] = (rs) => rs): FuzzCase[] {
  const perRoute = Math.max(4, Math.round((TOTAL_BUDGET * share) / routes.length));
  return order(routes).flatMap((r) => casesForRoute(r, ctx, perRoute, SEED));
}

function problemsOf(identity: string, outcomes: Outcome[]): string[] {
  const problems = outcomes.flatMap(({ c, res, error }) => {
    if (error) return [describeCase(identity, c, `no response: ${error}`)];
    const extra = envelopeExtras(res!);
    if (extra) extraKeys.push(describeCase(identity, c, extra));
    const p = responseProblem(res!);
    return p ? [describeCase(identity, c, p)] : [];
  });
  // FUZZ_REPORT=file keeps the full list (the assertion diff truncates long ones).
  if (process.env.FUZZ_REPORT && problems.length) fs.appendFileSync(process.env.FUZZ_REPORT, problems.join("\n") + "\n");
  return problems;
}

/** B's rows only move when something acts on them: wait until two reads 500 ms apart agree. */
async function settledSnapshot(companyId: string): Promise<CompanySnapshot> {
  let last = await snapshotCompany(databaseUrl(), companyId);
  for (let i = 0; i < 40; i++) {
    await sleep(500);
    const now = await snapshotCompany(databaseUrl(), companyId);
    if (JSON.stringify(now) === JSON.stringify(last)) return now;
    last = now;
  }
  throw new Error("company B never settled");
}

beforeAll(async () => {
  t = await startTestRuntime();
  a = await seedCompany(t.api, "Fuzz Alpha", { withRun: true });
  b = await seedCompany(t.api, "Fuzz Bravo", { withRun: true });
  if (b.skipped.length) console.warn(`fuzz: no create route yet for ${b.skipped.join(", ")}; those kinds are not seeded`);
  const doc = (await t.api.get<OpenApiDocument>("/api/openapi.json")).body;
  routes = documentedRoutes(doc);
  before = await settledSnapshot(b.companyId);
}, 120_000);

afterAll(async () => {
  closeFuzzAgent();
  // A request that wedged the engine can keep the worker from draining: do not let that hold the file.
  await Promise.race([t?.stop(), sleep(20_000)]);
});

describe("request fuzz", () => {
  it("seeded company B has rows to protect", () => {
    for (const table of ["companies", "agents", "agent_api_keys", "activity_log", "heartbeat_runs", "company_memberships"]) {
      expect(before.tables[table], table).toMatch(/^[1-9]\d*:/);
    }
    expect(before.foreignReferences).toEqual({});
    expect(routes.length).toBeGreaterThan(30);
  });

  it("an agent of company A gets nothing of company B, whatever it sends", async () => {
    const ctx: FuzzContext = {
      identity: "agentA→B",
      headers: { authorization: `Bearer ${a.agentToken}` },
      pathIds: b,
      bodyIds: b,
      foreignIds: b,
      ownPathIds: a,
      runHeaderValues: { foreignRun: b.ids.run![0]!, sql: "' OR 1=1 --", notUuid: "run-1", nilUuid: "00000000-0000-0000-0000-000000000000" },
    };
    const outcomes = await runCases(planFor(ctx, SHARE.agent), 6);
    const problems = problemsOf(ctx.identity, outcomes);
    const bMarkers = [...Object.values(b.ids).flat().filter((id) => /^[0-9a-f-]{36}$/.test(id)), ...b.identifiers.map((i) => i.toLowerCase())];
    for (const { c, res } of outcomes) {
      const path = c.path.toLowerCase();
      if (res && res.status < 300 && bMarkers.some((m) => path.includes(m.toLowerCase()))) problems.push(describeCase(ctx.identity, c, `${res.status}: answered on company B's ids: ${res.text.slice(0, 200)}`));
    }
    console.info(`fuzz agentA→B: ${outcomes.length} requests`);
    expect(problems).toEqual([]);
    expect(await snapshotCompany(databaseUrl(), b.companyId)).toEqual(before);
  }, 90_000);

  it("a garbage bearer token is refused everywhere, in the envelope", async () => {
    const bearers = ["garbage", "pcp_0000", "pcp_board_0000", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "x".repeat(4000)];
    const ctx: FuzzContext = { identity: "garbage", headers: {}, pathIds: b, bodyIds: b };
    const cases = planFor(ctx, SHARE.garbage).map((c, i) => ({ ...c, headers: { ...c.headers, authorization: `Bearer ${bearers[i % bearers.length]}` } }));
    const outcomes = await runCases(cases, 6);
    const problems = problemsOf(ctx.identity, outcomes);
    for (const { c, res } of outcomes) {
      if (res && res.status < 400) problems.push(describeCase(ctx.identity, c, `${res.status} for a garbage token`));
    }
    console.info(`fuzz garbage bearer: ${outcomes.length} requests`);
    expect(problems).toEqual([]);
    expect(await snapshotCompany(databaseUrl(), b.companyId)).toEqual(before);
  }, 90_000);

  it("a wake carrying strings Postgres cannot store is refused, and the agent still wakes afterwards", async () => {
    // Found by this fuzz: such a wake reached the agent workflow, whose wakeup write then failed and
    // retried forever — the request never answered and every later wake of the agent hung too.
    // A company of its own, so a wedged agent cannot stall the board pass on company A (budget
    // routes pause every agent of a company).
    const company = await t.api.createCompany("Fuzz Charlie");
    const fresh = await t.api.createAgent(company.id, { name: "fuzz fresh", adapterConfig: { command: "/bin/true", args: [] }, runtimeConfig: { heartbeat: { enabled: false } } });
    const wake = async (body: unknown) => {
      const req = { method: "POST", path: `/api/agents/${fresh.id}/wakeup`, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
      return sendRaw(t.baseUrl, req, 15_000).catch((err: Error) => ({ status: 0, text: `no answer: ${err.message}` }) as RawResponse);
    };
    for (const body of [{ reason: "x\uD800y" }, { payload: { note: "\uDFFF" } }]) {
      const res = await wake(body);
      expect(res.status, `${JSON.stringify(body)} → ${res.text}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${JSON.stringify(body)} → ${res.text}`).toBeLessThan(500);
    }
    const after = await wake({ reason: "after the refused ones" });
    expect(after.status, after.text).toBe(202);
  }, 60_000);

  let boardOutcomes: Outcome[] = [];
  it("the board's malformed requests on company A are 4xx, and company B is untouched", async () => {
    const ctx: FuzzContext = { identity: "board", headers: {}, pathIds: a, bodyIds: a, foreignIds: b };
    // Reads, then creates, then updates, destructive routes last: so most requests meet live rows and
    // invokable agents (a PATCH may turn wakeOnDemand off; budget and cost routes can pause agents and
    // the company, a budget of 1 cent being a plausible body).
    const destructive = (r: DocumentedRoute) =>
      r.method === "DELETE" || /(terminate|archive|pause|revoke|sign-out|demote-instance-admin)$/.test(r.url) || /budget|cost-events|finance/.test(r.url);
    const rank = (r: DocumentedRoute) => (destructive(r) ? 9 : ["GET", "POST", "PUT", "PATCH"].indexOf(r.method));
    const order = (rs: DocumentedRoute[]) => [...rs].sort((x, y) => rank(x) - rank(y));
    boardOutcomes = await runCases(planFor(ctx, SHARE.board, order), 1);
    console.info(`fuzz board: ${boardOutcomes.length} requests`);
    expect(problemsOf(ctx.identity, boardOutcomes)).toEqual([]);
    expect(await snapshotCompany(databaseUrl(), b.companyId)).toEqual(before);
  }, 90_000);

  it("a route that validates a body or a query declares the schema in the OpenAPI document", () => {
    const validationError = (o: Outcome | undefined) => o?.res?.status === 400 && (o.res.json as { error?: string } | undefined)?.error === "Validation error";
    const undeclared = new Set<string>();
    for (const route of routes) {
      const mine = boardOutcomes.filter((o) => o.c.route === routeKey(route));
      const plausible = mine.find((o) => o.c.category === "plausible");
      const bodyOnly = mine.filter((o) => ["plausible", "extra", "bodyShape"].includes(o.c.category));
      if (!route.op.requestBody && bodyOnly.some(validationError)) undeclared.add(`${routeKey(route)}: body`);
      const junkQuery = mine.find((o) => o.c.label === "undeclared junk query");
      const declaresQuery = route.op.parameters.some((p) => p.in === "query");
      if (!declaresQuery && validationError(junkQuery) && plausible && !validationError(plausible)) undeclared.add(`${routeKey(route)}: query`);
    }
    expect([...undeclared]).toEqual([]);
  });

  it("4xx bodies carry only error, code and details (no framework internals)", () => {
    if (process.env.FUZZ_REPORT && extraKeys.length) fs.appendFileSync(process.env.FUZZ_REPORT, extraKeys.join("\n") + "\n");
    expect(extraKeys).toEqual([]);
  });

  it("a body over the 10 MB limit → 413 in the envelope", async () => {
    const res = await sendRaw(t.baseUrl, { method: "POST", path: "/api/companies", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "x".repeat(11 * 1024 * 1024) }) });
    expect(res.status).toBe(413);
    expect(responseProblem(res)).toBeNull();
  });
});
