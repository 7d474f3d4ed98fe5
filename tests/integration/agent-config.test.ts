/** Agent configuration history and permissions: every PATCH is a revision, a rollback restores one. */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";

let t: TestRuntime;
let companyId: string;
beforeAll(async () => {
  t = await startTestRuntime();
  companyId = (await t.api.createCompany("Config Co")).id;
});
afterAll(async () => t?.stop());

it("records a revision per change and rolls back to the configuration before one", async () => {
  const agent = await t.api.createAgent(companyId, { name: "tuned", adapterConfig: { command: "/bin/true", args: [], timeoutSec: 60 } });
  const patched = await t.api.patch(`/api/agents/${agent.id}`, { adapterConfig: { command: "/bin/true", args: [], timeoutSec: 5 }, title: "Tuner" });
  expect(patched.status).toBe(200);
  const revisions = (await t.api.get(`/api/agents/${agent.id}/config-revisions`)).body;
  expect(revisions).toHaveLength(1);
  expect(revisions[0].changedKeys.sort()).toEqual(["adapterConfig", "title"]);
  expect(revisions[0].beforeConfig.adapterConfig.timeoutSec).toBe(60);

  const rolled = await t.api.post(`/api/agents/${agent.id}/config-revisions/${revisions[0].id}/rollback`, {});
  expect(rolled.status).toBe(200);
  expect(rolled.body.adapterConfig.timeoutSec).toBe(60);
  expect(rolled.body.title).toBeNull();
  const after = (await t.api.get(`/api/agents/${agent.id}/config-revisions`)).body;
  expect(after).toHaveLength(2);
  expect(after[0]).toMatchObject({ source: "rollback", rolledBackFromRevisionId: revisions[0].id });

  // A revision of another agent is not found through this one.
  const other = await t.api.createAgent(companyId, { name: "other", adapterConfig: { command: "/bin/true", args: [] } });
  expect((await t.api.post(`/api/agents/${other.id}/config-revisions/${revisions[0].id}/rollback`, {})).status).toBe(404);
});

it("permissions are the board's to set: an agent can then hire, and cannot grant itself anything", async () => {
  const agent = await t.api.createAgent(companyId, { name: "recruiter", adapterConfig: { command: "/bin/true", args: [] } });
  const token = await t.api.createAgentKey(agent.id);
  const asAgent = t.api.as(token);
  const hire = { name: "new-hire", adapterType: "process", adapterConfig: { command: "/bin/true", args: [] } };
  expect((await asAgent.post(`/api/companies/${companyId}/agents`, hire)).status).toBe(403);
  expect((await asAgent.patch(`/api/agents/${agent.id}/permissions`, { canCreateAgents: true })).status).toBe(403);
  expect((await asAgent.patch(`/api/agents/${agent.id}`, { permissions: { canCreateAgents: true } })).status).toBe(422);

  const granted = await t.api.patch(`/api/agents/${agent.id}/permissions`, { canCreateAgents: true });
  expect(granted.status).toBe(200);
  expect(granted.body.permissions.canCreateAgents).toBe(true);
  expect((await asAgent.post(`/api/companies/${companyId}/agents`, hire)).status).toBe(201);
  expect((await t.api.patch(`/api/agents/${agent.id}/permissions`, { canCreateAgents: "yes" })).status).toBe(400);
});
