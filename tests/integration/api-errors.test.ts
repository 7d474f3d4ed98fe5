/**
 * Bad input gets a clear 4xx in Paperclip's envelope `{error, code?, details?}` — never a 500 — and a
 * rejected request writes nothing.
 */
import { randomUUID } from "node:crypto";
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HttpResult } from "../helpers/api-client.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";

let t: TestRuntime;
/** Every company name this file uses carries this marker, so the shared database can be filtered. */
const marker = `apierr-${randomUUID().slice(0, 8)}`;
const named = (label: string) => `${marker} ${label}`;
let company: { id: string; name: string; issuePrefix: string };
let otherCompany: { id: string; name: string; issuePrefix: string };
let agentId: string;
/** Companies this file created on purpose; anything else with the marker was written by a rejected request. */
const createdCompanyIds = new Set<string>();
const processConfig = (extra: Record<string, unknown> = {}) => ({ command: "/bin/true", args: [], cwd: os.tmpdir(), ...extra });

function expectEnvelope(res: HttpResult, status: number, error?: string | RegExp) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get("content-type") ?? "").toContain("application/json");
  expect(typeof res.body?.error).toBe("string");
  expect(res.body.error.length).toBeGreaterThan(0);
  if (typeof error === "string") expect(res.body.error).toBe(error);
  else if (error) expect(res.body.error).toMatch(error);
  if (res.body.code !== undefined) expect(typeof res.body.code).toBe("string");
  // Nothing but the envelope's fields: no stack traces or internals.
  for (const key of Object.keys(res.body)) expect(["error", "code", "details"]).toContain(key);
}

async function createCompany(label: string) {
  const c = await t.api.createCompany(named(label));
  createdCompanyIds.add(c.id);
  return c;
}

async function agentsOf(companyId: string): Promise<Array<{ id: string; name: string }>> {
  const res = await t.api.get(`/api/companies/${companyId}/agents`);
  expect(res.status).toBe(200);
  return res.body;
}

async function runsOf(companyId: string): Promise<Array<{ id: string; agentId: string }>> {
  const res = await t.api.get(`/api/companies/${companyId}/heartbeat-runs`);
  expect(res.status).toBe(200);
  return res.body;
}

beforeAll(async () => {
  t = await startTestRuntime();
  company = await createCompany("main");
  otherCompany = await createCompany("other");
  agentId = (await t.api.createAgent(company.id, { name: "valid-agent", adapterConfig: processConfig() })).id;
});
afterAll(async () => t?.stop());

describe("request bodies", () => {
  it("malformed JSON → 400 that says so", async () => {
    const res = await t.api.request("POST", "/api/companies", `{"name": "${named("malformed")}"`, { "content-type": "application/json" });
    expectEnvelope(res, 400, /JSON/);
  });

  it("a text/plain body → 415", async () => {
    const res = await t.api.request("POST", "/api/companies", `name=${named("text")}`, { "content-type": "text/plain" });
    expectEnvelope(res, 415, /Content-Type/i);
  });

  it("an empty JSON object → 400 Validation error naming `name`", async () => {
    const res = await t.api.post("/api/companies", {});
    expectEnvelope(res, 400, "Validation error");
    expect(Array.isArray(res.body.details)).toBe(true);
    expect(res.body.details.some((d: { path: string[] }) => d.path.includes("name"))).toBe(true);
  });

  it("a blank name → 400", async () => {
    const res = await t.api.post("/api/companies", { name: "   " });
    expectEnvelope(res, 400, "Validation error");
    expect(res.body.details[0].path).toEqual(["name"]);
  });

  it("an unknown extra field → 400 naming it", async () => {
    const res = await t.api.post("/api/companies", { name: named("extra"), budgetCents: 5 });
    expectEnvelope(res, 400, "Validation error");
    expect(JSON.stringify(res.body.details)).toContain("budgetCents");
  });

  it("a field of the wrong type → 400", async () => {
    const res = await t.api.post("/api/companies", { name: named("wrong type"), budgetMonthlyCents: "100" });
    expectEnvelope(res, 400, "Validation error");
    expect(res.body.details[0].path).toEqual(["budgetMonthlyCents"]);
  });
});

describe("companies", () => {
  it("an unknown company id → 404 Company not found", async () => {
    expectEnvelope(await t.api.get(`/api/companies/${randomUUID()}`), 404, "Company not found");
  });

  it("an id that is not a uuid → 404, not a 400 or 500", async () => {
    expectEnvelope(await t.api.get("/api/companies/not-a-uuid"), 404, "Company not found");
    expectEnvelope(await t.api.get("/api/companies/not-a-uuid/agents"), 404, "Company not found");
  });

  it("agents of an unknown company → 404", async () => {
    expectEnvelope(await t.api.get(`/api/companies/${randomUUID()}/agents`), 404, "Company not found");
    const res = await t.api.post(`/api/companies/${randomUUID()}/agents`, { name: "orphan", adapterType: "process", adapterConfig: processConfig() });
    expectEnvelope(res, 404, "Company not found");
  });

  it("derives issue prefixes from the name, adding A on collision", async () => {
    // Letters no other test file uses, so the exact prefixes are known.
    const first = await t.api.post("/api/companies", { name: "Qzv-x 42 Ltd" });
    const second = await t.api.post("/api/companies", { name: "qzv" });
    const third = await t.api.post("/api/companies", { name: "Q.Z.V." });
    for (const res of [first, second, third]) {
      expect(res.status).toBe(201);
      createdCompanyIds.add(res.body.id);
    }
    expect([first.body.issuePrefix, second.body.issuePrefix, third.body.issuePrefix]).toEqual(["QZV", "QZVA", "QZVAA"]);
    const fetched = await t.api.get(`/api/companies/${second.body.id}`);
    expect(fetched.body).toMatchObject({ id: second.body.id, name: "qzv", issuePrefix: "QZVA" });
  });

  it('"Acme" gets ACM and a second "Acme" gets ACMA', async () => {
    const a = await t.api.post("/api/companies", { name: "Acme" });
    const b = await t.api.post("/api/companies", { name: "Acme" });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    createdCompanyIds.add(a.body.id);
    createdCompanyIds.add(b.body.id);
    // The database is shared with other files that may also create an "Acme": the prefixes are
    // ACM followed by As, the second one strictly longer (first free candidate after ours).
    expect(a.body.issuePrefix).toMatch(/^ACMA*$/);
    expect(b.body.issuePrefix).toMatch(/^ACMA*$/);
    expect(b.body.issuePrefix.length).toBeGreaterThan(a.body.issuePrefix.length);
    const all = (await t.api.get("/api/companies")).body as Array<{ issuePrefix: string }>;
    const acm = all.filter((c) => /^ACMA*$/.test(c.issuePrefix)).map((c) => c.issuePrefix);
    // Prefixes are unique, and ours are the first free ones: every shorter candidate is taken.
    expect(new Set(acm).size).toBe(acm.length);
    for (let n = 0; n < b.body.issuePrefix.length - 3; n++) expect(acm).toContain("ACM" + "A".repeat(n));
  });
});

describe("agents", () => {
  const post = (companyId: string, body: Record<string, unknown>) => t.api.post(`/api/companies/${companyId}/agents`, body);

  it("an unknown adapterType → 422 unknown_adapter_type", async () => {
    const res = await post(company.id, { name: "bad-adapter", adapterType: "nope" });
    expectEnvelope(res, 422, /nope/);
    expect(res.body.code).toBe("unknown_adapter_type");
    expect(res.body.details.adapterTypes).toContain("process");
  });

  it("no adapterType → 400 naming adapterType", async () => {
    const res = await post(company.id, { name: "no-adapter" });
    expectEnvelope(res, 400, "Validation error");
    expect(res.body.details.some((d: { path: string[] }) => d.path.includes("adapterType"))).toBe(true);
  });

  it("process args given as one string → 422 invalid_adapter_config explaining args", async () => {
    const res = await post(company.id, { name: "string-args", adapterType: "process", adapterConfig: { command: "node", args: "a b" } });
    expectEnvelope(res, 422, /args/);
    expect(res.body.code).toBe("invalid_adapter_config");
    expect(res.body.error).toContain("array");
    expect(res.body.details.issues.map((i: { path: string }) => i.path)).toEqual(["args"]);
  });

  it("a relative cwd → 422 invalid_adapter_config", async () => {
    const res = await post(company.id, { name: "rel-cwd", adapterType: "process", adapterConfig: { command: "node", args: [], cwd: "relative/dir" } });
    expectEnvelope(res, 422, /cwd/);
    expect(res.body.code).toBe("invalid_adapter_config");
  });

  it("a process agent without a command → 422", async () => {
    const res = await post(company.id, { name: "no-command", adapterType: "process", adapterConfig: {} });
    expectEnvelope(res, 422, /command/);
    expect(res.body.code).toBe("invalid_adapter_config");
  });

  it("reportsTo an agent of another company → 422", async () => {
    const foreign = await t.api.createAgent(otherCompany.id, { name: "foreign-boss", adapterConfig: processConfig() });
    const res = await post(company.id, { name: "cross-report", adapterType: "process", adapterConfig: processConfig(), reportsTo: foreign.id });
    expectEnvelope(res, 422, /reportsTo/);
    expect(res.body.code).toBe("invalid_reports_to");
    // …while reporting to an agent of the same company works.
    const ok = await post(company.id, { name: "same-co-report", adapterType: "process", adapterConfig: processConfig(), reportsTo: agentId });
    expect(ok.status).toBe(201);
    expect(ok.body.reportsTo).toBe(agentId);
  });

  it("reportsTo that is not a uuid → 400", async () => {
    const res = await post(company.id, { name: "bad-report", adapterType: "process", adapterConfig: processConfig(), reportsTo: "boss" });
    expectEnvelope(res, 400, "Validation error");
  });

  it("an unknown agent → 404 Agent not found", async () => {
    expectEnvelope(await t.api.get(`/api/agents/${randomUUID()}`), 404, "Agent not found");
    expectEnvelope(await t.api.get("/api/agents/xyz"), 404, "Agent not found");
  });
});

describe("wakeups", () => {
  it("waking an unknown agent → 404 Agent not found", async () => {
    expectEnvelope(await t.api.post(`/api/agents/${randomUUID()}/wakeup`, {}), 404, "Agent not found");
    expectEnvelope(await t.api.post(`/api/agents/${randomUUID()}/heartbeat/invoke`), 404, "Agent not found");
  });

  it("an unknown source → 400, and no run is created", async () => {
    const res = await t.api.post(`/api/agents/${agentId}/wakeup`, { source: "bogus" });
    expectEnvelope(res, 400, "Validation error");
    expect(res.body.details[0].path).toEqual(["source"]);
    const extra = await t.api.post(`/api/agents/${agentId}/wakeup`, { reason: "x", sneaky: true });
    expectEnvelope(extra, 400, "Validation error");
    expect((await runsOf(company.id)).filter((r) => r.agentId === agentId)).toEqual([]);
  });

  it("POST /heartbeat/invoke with no body → 202 with a queued run that then completes", async () => {
    const agent = await t.api.createAgent(company.id, { name: "invoked", adapterConfig: processConfig() });
    const res = await t.api.request("POST", `/api/agents/${agent.id}/heartbeat/invoke`);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toMatchObject({ agentId: agent.id, companyId: company.id, invocationSource: "on_demand" });
    expect(typeof res.body.id).toBe("string");
    const run = await t.api.waitForRun(res.body.id);
    expect(run.status).toBe("succeeded");
  });
});

describe("heartbeat runs", () => {
  it("an unknown run → 404, and so is its log", async () => {
    const id = randomUUID();
    expectEnvelope(await t.api.get(`/api/heartbeat-runs/${id}`), 404, "Heartbeat run not found");
    expectEnvelope(await t.api.get(`/api/heartbeat-runs/${id}/log`), 404, "Heartbeat run not found");
    expectEnvelope(await t.api.get("/api/heartbeat-runs/not-a-uuid"), 404, "Heartbeat run not found");
  });

  it("a negative log offset → 400 naming offset", async () => {
    const res = await t.api.get(`/api/heartbeat-runs/${randomUUID()}/log?offset=-1`);
    expectEnvelope(res, 400, "Validation error");
    expect(res.body.details[0].path).toEqual(["offset"]);
    expectEnvelope(await t.api.get(`/api/heartbeat-runs/${randomUUID()}/log?limitBytes=abc`), 400, "Validation error");
  });

  it("a bad run-list filter → 400", async () => {
    expectEnvelope(await t.api.get(`/api/companies/${company.id}/heartbeat-runs?agentId=nope`), 400, "Validation error");
    expectEnvelope(await t.api.get(`/api/companies/${company.id}/heartbeat-runs?limit=0`), 400, "Validation error");
  });
});

describe("routes", () => {
  it("unknown /api routes → 404 API route not found", async () => {
    for (const [method, path] of [
      ["GET", "/api/does-not-exist"],
      ["POST", "/api/nope"],
      ["GET", "/api/companies/x/y/z"],
    ] as const) {
      const res = await t.api.request(method, path, method === "POST" ? {} : undefined);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body).toEqual({ error: "API route not found" });
    }
  });

  it("GET /api/health → 200 with both checks ok", async () => {
    const res = await t.api.get("/api/health");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "ok", checks: { database: "ok", temporal: "ok" } });
  });
});

describe("nothing was written by a rejected request", () => {
  it("only the companies and agents this file created deliberately exist", async () => {
    const companies = (await t.api.get("/api/companies")).body as Array<{ id: string; name: string }>;
    const ours = companies.filter((c) => c.name.startsWith(marker) || createdCompanyIds.has(c.id));
    expect(ours.map((c) => c.id).sort()).toEqual([...createdCompanyIds].sort());
    // None of the names used only in rejected requests made it in.
    for (const label of ["malformed", "text", "extra", "wrong type"]) {
      expect(companies.some((c) => c.name === named(label))).toBe(false);
    }

    const agentNames = (await agentsOf(company.id)).map((a) => a.name).sort();
    expect(agentNames).toEqual(["invoked", "same-co-report", "valid-agent"]);
    expect((await agentsOf(otherCompany.id)).map((a) => a.name)).toEqual(["foreign-boss"]);
    // The only run is the one /heartbeat/invoke started.
    const runs = await runsOf(company.id);
    expect(runs).toHaveLength(1);
  });
});
