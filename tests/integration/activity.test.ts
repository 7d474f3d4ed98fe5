/**
 * The activity log API: newest-first listing with filters and a keyset cursor, per-issue activity
 * (id or identifier), the board's append route, immutability, redaction and tenancy.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiClient } from "../helpers/api-client.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";

let t: TestRuntime;
let companyId: string;
let otherCompanyId: string;
let agentId: string;
let agentApi: ApiClient;
let foreignAgentApi: ApiClient;

interface Row {
  id: string;
  action: string;
  entityType: string;
  entityId: string;
  agentId: string | null;
  actorType: string;
  actorId: string;
  details: Record<string, unknown> | null;
  createdAt: string;
}

const missingId = "00000000-0000-4000-8000-000000000000";

async function list(query = "", cid = companyId): Promise<Row[]> {
  const res = await t.api.get(`/api/companies/${cid}/activity${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function append(body: Record<string, unknown>, cid = companyId): Promise<Row> {
  const res = await t.api.post(`/api/companies/${cid}/activity`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

beforeAll(async () => {
  t = await startTestRuntime({ role: "api" });
  companyId = (await t.api.createCompany("Activity Inc")).id;
  otherCompanyId = (await t.api.createCompany("Other Activity Inc")).id;
  const adapterConfig = { command: process.execPath, args: ["-e", "0"] };
  const agent = await t.api.createAgent(companyId, { name: "logger", adapterConfig });
  agentId = agent.id;
  agentApi = t.api.as(await t.api.createAgentKey(agent.id));
  foreignAgentApi = t.api.as(await t.api.createAgentKey((await t.api.createAgent(otherCompanyId, { name: "outsider", adapterConfig })).id));
});
afterAll(async () => t?.stop());

describe("GET /api/companies/:companyId/activity", () => {
  it("lists newest first and filters by agent, entity, action", async () => {
    const a = await append({ action: "script.ran", entityType: "script", entityId: "nightly" });
    const b = await append({ action: "script.ran", entityType: "script", entityId: "hourly" });
    const c = await append({ action: "deploy.done", entityType: "service", entityId: "api", details: { version: "1.2.3" } });

    const all = await list();
    const ids = all.map((r) => r.id);
    expect(ids.slice(0, 3)).toEqual([c.id, b.id, a.id]);
    for (let i = 1; i < all.length; i++) expect(Date.parse(all[i - 1]!.createdAt)).toBeGreaterThanOrEqual(Date.parse(all[i]!.createdAt));

    expect((await list("?action=script.ran")).map((r) => r.id)).toEqual([b.id, a.id]);
    expect((await list("?entityType=script&entityId=nightly")).map((r) => r.id)).toEqual([a.id]);
    expect((await list("?entityType=service")).map((r) => r.id)).toEqual([c.id]);
    const byAgent = await list(`?agentId=${agentId}`);
    expect(byAgent.map((r) => r.action)).toContain("agent.created");
    expect(byAgent.every((r) => r.agentId === agentId)).toBe(true);
    expect(await list("?action=never.happened")).toEqual([]);
  });

  it("pages with limit and a `before` cursor (id or ISO time) without gaps or repeats", async () => {
    for (let i = 0; i < 5; i++) await append({ action: "page.item", entityType: "page", entityId: String(i) });
    const whole = (await list("?action=page.item&limit=500")).map((r) => r.id);
    expect(whole).toHaveLength(5);

    const paged: string[] = [];
    let before = "";
    for (;;) {
      const page = await list(`?action=page.item&limit=2${before ? `&before=${before}` : ""}`);
      if (page.length === 0) break;
      expect(page.length).toBeLessThanOrEqual(2);
      paged.push(...page.map((r) => r.id));
      before = page[page.length - 1]!.id;
    }
    expect(paged).toEqual(whole);

    expect(await list(`?action=page.item&before=${encodeURIComponent("2000-01-01T00:00:00Z")}`)).toEqual([]);
    expect((await list(`?action=page.item&before=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).map((r) => r.id)).toEqual(whole);
  });

  it("refuses bad queries with 400", async () => {
    for (const q of ["?limit=0", "?limit=501", "?limit=abc", "?before=yesterday", "?before=%2B275760-09-13T00%3A00%3A00.000Z", "?before=-271821-04-20T00%3A00%3A00Z", "?action=a&action=b", `?before=${missingId}`, "?agentId=not-a-uuid"]) {
      const res = await t.api.get(`/api/companies/${companyId}/activity${q}`);
      expect(res.status, q).toBe(400);
    }
  });

  it("is readable by the company's agents; other companies and unknown ids get 404", async () => {
    expect((await agentApi.get(`/api/companies/${companyId}/activity`)).status).toBe(200);
    expect((await foreignAgentApi.get(`/api/companies/${companyId}/activity`)).status).toBe(404);
    expect((await t.api.get(`/api/companies/${missingId}/activity`)).status).toBe(404);
    expect((await t.api.get(`/api/companies/nope/activity`)).status).toBe(404);
    // Another company's rows never leak into this company's listing.
    const theirs = await append({ action: "elsewhere.happened", entityType: "x", entityId: "y" }, otherCompanyId);
    expect((await list("?limit=500")).map((r) => r.id)).not.toContain(theirs.id);
  });
});

describe("POST /api/companies/:companyId/activity", () => {
  it("appends exactly one immutable row as the board user, with secret-looking details redacted", async () => {
    const before = (await list("?limit=500")).length;
    const row = await append({ action: "backup.finished", entityType: "backup", entityId: "b-1", details: { sizeBytes: 42, apiToken: "tok-123", nested: { password: "p" } } });
    expect(row).toMatchObject({ companyId, action: "backup.finished", entityType: "backup", entityId: "b-1", actorType: "user", actorId: "local-board", agentId: null });
    expect(row.details).toEqual({ sizeBytes: 42, apiToken: "***REDACTED***", nested: { password: "***REDACTED***" } });
    expect((await list("?limit=500")).length).toBe(before + 1);

    // No route changes or removes a row.
    for (const method of ["PATCH", "PUT", "DELETE"]) {
      expect((await t.api.request(method, `/api/companies/${companyId}/activity/${row.id}`, method === "DELETE" ? undefined : {})).status).toBe(404);
    }
    expect((await list("?entityId=b-1"))[0]).toEqual(row);
  });

  it("refuses agents (403), other companies (404) and malformed bodies (400), appending nothing", async () => {
    const before = (await list("?limit=500")).length;
    const denied = await agentApi.post(`/api/companies/${companyId}/activity`, { action: "agent.says", entityType: "x", entityId: "y" });
    expect(denied.status).toBe(403);
    expect((await foreignAgentApi.post(`/api/companies/${companyId}/activity`, { action: "a", entityType: "x", entityId: "y" })).status).toBe(404);
    expect((await t.api.post(`/api/companies/${missingId}/activity`, { action: "a", entityType: "x", entityId: "y" })).status).toBe(404);
    for (const body of [{}, { action: "a", entityType: "x" }, { action: "", entityType: "x", entityId: "y" }, { action: "a", entityType: "x", entityId: "y", extra: 1 }, { action: "a", entityType: "x", entityId: "y", details: [1] }, { action: "a", entityType: "x", entityId: "y", details: { blob: "x".repeat(70_000) } }]) {
      const res = await t.api.post(`/api/companies/${companyId}/activity`, body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
    }
    expect((await t.api.request("POST", `/api/companies/${companyId}/activity`, "{oops")).status).toBe(400);
    expect((await list("?limit=500")).length).toBe(before);
  });
});

describe("GET /api/issues/:id/activity", () => {
  it("lists one issue's activity by id or identifier; foreign and unknown issues are 404", async () => {
    const prefix = (await t.api.get(`/api/companies/${companyId}`)).body.issuePrefix as string;
    const number = Math.floor(Math.random() * 1_000_000) + 1000;
    const issue = await t.runtime.db
      .insertInto("issues")
      .values({ companyId, title: "Activity target", issueNumber: number, identifier: `${prefix}-${number}` })
      .returning(["id", "identifier"])
      .executeTakeFirstOrThrow();
    const first = await append({ action: "issue.poked", entityType: "issue", entityId: issue.id });
    const second = await append({ action: "issue.prodded", entityType: "issue", entityId: issue.id });
    await append({ action: "issue.poked", entityType: "issue", entityId: missingId });

    for (const ref of [issue.id, issue.identifier!, issue.identifier!.toLowerCase()]) {
      const res = await t.api.get(`/api/issues/${ref}/activity`);
      expect(res.status, ref).toBe(200);
      expect(res.body.map((r: Row) => r.id)).toEqual([second.id, first.id]);
    }
    expect((await t.api.get(`/api/issues/${issue.id}/activity?limit=1`)).body.map((r: Row) => r.id)).toEqual([second.id]);
    expect((await agentApi.get(`/api/issues/${issue.id}/activity`)).status).toBe(200);
    expect((await foreignAgentApi.get(`/api/issues/${issue.id}/activity`)).status).toBe(404);
    expect((await foreignAgentApi.get(`/api/issues/${issue.identifier}/activity`)).status).toBe(404);
    expect((await t.api.get(`/api/issues/${missingId}/activity`)).status).toBe(404);
    expect((await t.api.get(`/api/issues/NOPE-0/activity`)).status).toBe(404);
    expect((await t.api.get(`/api/issues/${issue.id}/activity?limit=-1`)).status).toBe(400);
  });
});
