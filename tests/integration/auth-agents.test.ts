/**
 * Agents' credentials: the run token (JWT injected as PAPERCLIP_API_KEY) works for its own run only
 * and stops working when the run ends; long-lived agent API keys are shown once, stored hashed, and
 * stop at revocation; agents act only in their company and only as themselves.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SignJWT, decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";
import { waitFor } from "../helpers/wait.js";

let t: TestRuntime;
let companyA: string;
let companyB: string;
let foreignAgent: string;

beforeAll(async () => {
  t = await startTestRuntime();
  companyA = (await t.api.createCompany("Auth A")).id;
  companyB = (await t.api.createCompany("Auth B")).id;
  foreignAgent = (await t.api.createAgent(companyB, { name: "foreign", adapterConfig: { command: "/bin/true", args: [] } })).id;
});
afterAll(async () => t?.stop());

const tokenAgent = (outFile: string, secs: number) => ({ command: process.execPath, args: [path.resolve("tests/fixtures/token-agent.mjs"), outFile, String(secs)], cwd: os.tmpdir() });

async function startTokenRun(name: string, secs = 30) {
  const outFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sb-token-")), "creds.json");
  const agent = await t.api.createAgent(companyA, { name, adapterConfig: tokenAgent(outFile, secs) });
  const run = await t.api.wake(agent.id);
  const creds = await waitFor("the agent to hand over its token", async () => (fs.existsSync(outFile) ? JSON.parse(fs.readFileSync(outFile, "utf8")) : undefined), 15_000);
  return { agent, run, creds: creds as { token: string; runId: string; agentId: string; selfStatus: number } };
}

describe("run token (PAPERCLIP_API_KEY)", () => {
  it("is a JWT for this agent, company and run, accepted while the run is active and refused once it ends", async () => {
    const { agent, run, creds } = await startTokenRun("jwt-agent");
    expect(creds.selfStatus).toBe(200); // the agent itself called the API with it
    expect(creds.runId).toBe(run.id);
    const claims = decodeJwt(creds.token);
    expect(claims).toMatchObject({ sub: agent.id, company_id: companyA, run_id: run.id, adapter_type: "process", iss: "paperclip", aud: "paperclip-api" });

    const asAgent = t.api.as(creds.token);
    expect((await asAgent.get(`/api/agents/${agent.id}`)).status).toBe(200);
    // Another company's rows do not exist for it; another agent of its own company cannot be woken by it.
    expect((await asAgent.get(`/api/agents/${foreignAgent}`)).status).toBe(404);
    expect((await asAgent.get(`/api/companies/${companyB}/agents`)).status).toBe(404);
    const sibling = await t.api.createAgent(companyA, { name: "sibling", adapterConfig: { command: "/bin/true", args: [] } });
    const wakeOther = await asAgent.post(`/api/agents/${sibling.id}/wakeup`, {});
    expect(wakeOther.status).toBe(403);
    expect(wakeOther.body).toEqual({ error: "Agent can only invoke itself" });
    // Board-only actions are not for agents.
    expect((await asAgent.post(`/api/agents/${agent.id}/pause`, {})).status).toBe(403);
    expect((await asAgent.post("/api/companies", { name: "nope" })).status).toBe(403);
    // A run-id header that disagrees with the token is refused.
    const mismatch = await asAgent.request("GET", `/api/agents/${agent.id}`, undefined, { "x-paperclip-run-id": sibling.id });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.code).toBe("agent_jwt_run_id_mismatch");

    await t.api.post(`/api/heartbeat-runs/${run.id}/cancel`);
    await t.api.waitForRun(run.id, 15_000);
    const after = await asAgent.get(`/api/agents/${agent.id}`);
    expect(after.status).toBe(401);
    expect(after.body.code).toBe("run_finished");
  });

  it("refuses forged, expired and garbage tokens with 401, even in local_trusted mode", async () => {
    const { agent, run, creds } = await startTokenRun("forge-agent");
    const claims = { company_id: companyA, run_id: run.id, adapter_type: "process" };
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setSubject(agent.id).setIssuer("paperclip").setAudience("paperclip-api").setExpirationTime("1h").sign(new TextEncoder().encode("not-the-instance-secret-at-all!!"));
    const secret = new TextEncoder().encode(fs.readFileSync(path.join(t.config.home, "secrets", "agent-jwt.key"), "utf8").trim());
    const expired = await new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setSubject(agent.id).setIssuer("paperclip").setAudience("paperclip-api").setIssuedAt(1_000).setExpirationTime(2_000).sign(secret);
    const otherAgentSameRun = await new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setSubject(foreignAgent).setIssuer("paperclip").setAudience("paperclip-api").setExpirationTime("1h").sign(secret);
    for (const bad of [forged, expired, otherAgentSameRun, "garbage", `${creds.token}x`]) {
      const res = await t.api.as(bad).get(`/api/agents/${agent.id}`);
      expect(res.status, bad.slice(0, 20)).toBe(401);
      expect(typeof res.body.error).toBe("string");
    }
    expect((await t.api.as(expired).get(`/api/agents/${agent.id}`)).body.error).toMatch(/Expired agent token/);
    await t.api.post(`/api/heartbeat-runs/${run.id}/cancel`);
  });
});

describe("agent API keys", () => {
  it("shows the token once, stores only its SHA-256, works until revoked", async () => {
    const agent = await t.api.createAgent(companyA, { name: "keyed", adapterConfig: { command: "/bin/true", args: [] } });
    const created = await t.api.post(`/api/agents/${agent.id}/keys`, { name: "ci" });
    expect(created.status).toBe(201);
    const token = created.body.token as string;
    expect(token).toMatch(/^pcp_[0-9a-f]{48}$/);
    const listed = await t.api.get(`/api/agents/${agent.id}/keys`);
    expect(listed.body).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(token);
    const stored = await t.runtime.db.selectFrom("agent_api_keys").select("keyHash").where("agentId", "=", agent.id).executeTakeFirstOrThrow();
    expect(stored.keyHash).toBe(createHash("sha256").update(token).digest("hex"));

    const asAgent = t.api.as(token);
    expect((await asAgent.get(`/api/agents/${agent.id}`)).status).toBe(200);
    const woke = await asAgent.post(`/api/agents/${agent.id}/wakeup`, {});
    expect(woke.status).toBe(202);
    const wakeRow = await t.runtime.db.selectFrom("agent_wakeup_requests").select(["requestedByActorType", "requestedByActorId"]).where("runId", "=", woke.body.id).executeTakeFirstOrThrow();
    expect(wakeRow).toEqual({ requestedByActorType: "agent", requestedByActorId: agent.id });
    // A run-id header must name one of the agent's own runs.
    expect((await asAgent.request("GET", `/api/agents/${agent.id}`, undefined, { "x-paperclip-run-id": woke.body.id })).status).toBe(200);
    expect((await asAgent.request("GET", `/api/agents/${agent.id}`, undefined, { "x-paperclip-run-id": "00000000-0000-4000-8000-000000000000" })).status).toBe(403);

    // An agent cannot mint keys, for itself or anyone.
    expect((await asAgent.post(`/api/agents/${agent.id}/keys`, {})).status).toBe(403);

    expect((await t.api.delete(`/api/agents/${agent.id}/keys/${created.body.id}`)).status).toBe(200);
    const revoked = await asAgent.get(`/api/agents/${agent.id}`);
    expect(revoked.status).toBe(401);
    expect(revoked.body.error).toMatch(/revoked/);
  });

  it("a terminated agent's key stops working; keys of another company's agent are not reachable", async () => {
    const agent = await t.api.createAgent(companyA, { name: "to-terminate", adapterConfig: { command: "/bin/true", args: [] } });
    const token = await t.api.createAgentKey(agent.id);
    expect((await t.api.as(token).get(`/api/agents/${agent.id}`)).status).toBe(200);
    // Another company's agent key cannot see company A's keys (404: its ids do not exist for it).
    const foreignToken = await t.api.createAgentKey(foreignAgent);
    expect((await t.api.as(foreignToken).get(`/api/agents/${agent.id}`)).status).toBe(404);
    expect((await t.api.as(foreignToken).get(`/api/companies/${companyA}`)).status).toBe(404);
    await t.api.post(`/api/agents/${agent.id}/terminate`, {});
    expect((await t.api.as(token).get(`/api/agents/${agent.id}`)).status).toBe(401);
    expect((await t.api.post(`/api/agents/${agent.id}/keys`, {})).status).toBe(409);
  });

  it("every key mutation is in the activity log, without the token", async () => {
    const agent = await t.api.createAgent(companyA, { name: "audited", adapterConfig: { command: "/bin/true", args: [] } });
    const token = await t.api.createAgentKey(agent.id);
    const rows = await t.runtime.db.selectFrom("activity_log").selectAll().where("entityId", "=", agent.id).orderBy("createdAt").execute();
    expect(rows.map((r) => r.action)).toEqual(["agent.created", "agent.key_created"]);
    expect(JSON.stringify(rows)).not.toContain(token);
  });
});
