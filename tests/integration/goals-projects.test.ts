/** Goals (hierarchy, owners, no cycles), projects (goals, lead, dates) and project workspaces. */
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BoardActor } from "../../core/auth/actor.js";
import { assertCompanyAccess } from "../../core/auth/authz.js";
import type { ApiClient } from "../helpers/api-client.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";

let t: TestRuntime;
let cid: string;
let otherCid: string;
let agent: { id: string };
let foreignAgent: { id: string };
let agentApi: ApiClient;
let outsiderApi: ApiClient;

const quick = { command: process.execPath, args: ["-e", "0"], cwd: os.tmpdir() };
const activity = (entityId: string, action: string) => t.runtime.db.selectFrom("activity_log").selectAll().where("entityId", "=", entityId).where("action", "=", action).execute();
const createGoal = async (body: Record<string, unknown>, api: ApiClient = t.api, companyId = cid) => {
  const res = await api.post(`/api/companies/${companyId}/goals`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; [k: string]: any };
};
const createProject = async (body: Record<string, unknown>, api: ApiClient = t.api) => {
  const res = await api.post(`/api/companies/${cid}/projects`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; [k: string]: any };
};

beforeAll(async () => {
  t = await startTestRuntime();
  cid = (await t.api.createCompany("Goals Co")).id;
  otherCid = (await t.api.createCompany("Other Goals Co")).id;
  agent = await t.api.createAgent(cid, { name: "planner", adapterConfig: quick });
  foreignAgent = await t.api.createAgent(otherCid, { name: "foreign", adapterConfig: quick });
  agentApi = t.api.as(await t.api.createAgentKey(agent.id));
  outsiderApi = t.api.as(await t.api.createAgentKey(foreignAgent.id));
});
afterAll(async () => t?.stop());

describe("goals", () => {
  it("creates with defaults, nests, filters, updates and deletes (children survive)", async () => {
    const root = await createGoal({ title: "Win the market", level: "company", ownerAgentId: agent.id });
    expect(root).toMatchObject({ level: "company", status: "planned", parentId: null, ownerAgentId: agent.id, companyId: cid });
    const child = await createGoal({ title: "Ship v1", parentId: root.id }, agentApi);
    expect(child).toMatchObject({ level: "task", status: "planned", parentId: root.id });
    expect((await t.api.get(`/api/companies/${cid}/goals?level=company`)).body.map((g: any) => g.id)).toEqual([root.id]);

    const patched = await agentApi.patch(`/api/goals/${child.id}`, { status: "active", title: "Ship v1.0" });
    expect(patched.body).toMatchObject({ status: "active", title: "Ship v1.0" });
    const [updated] = await activity(child.id, "goal.updated");
    expect(updated?.details).toEqual({ changedKeys: ["status", "title"] });
    expect(await activity(root.id, "goal.created")).toHaveLength(1);

    expect((await t.api.delete(`/api/goals/${root.id}`)).body.id).toBe(root.id);
    expect((await t.api.get(`/api/goals/${root.id}`)).status).toBe(404);
    expect((await t.api.get(`/api/goals/${child.id}`)).body.parentId).toBeNull();
    expect(await activity(root.id, "goal.deleted")).toHaveLength(1);
  });

  it("refuses cycles, foreign parents and owners (422), bad bodies (400) — changing nothing", async () => {
    const a = await createGoal({ title: "A" });
    const b = await createGoal({ title: "B", parentId: a.id });
    const c = await createGoal({ title: "C", parentId: b.id });
    const foreign = await createGoal({ title: "F" }, t.api, otherCid);
    expect((await t.api.patch(`/api/goals/${a.id}`, { parentId: c.id })).body.code).toBe("goal_cycle");
    expect((await t.api.patch(`/api/goals/${a.id}`, { parentId: a.id })).status).toBe(422);
    expect((await t.api.patch(`/api/goals/${a.id}`, { parentId: foreign.id })).body.code).toBe("invalid_parent_goal");
    expect((await t.api.patch(`/api/goals/${a.id}`, { ownerAgentId: foreignAgent.id })).body.code).toBe("invalid_owner_agent");
    expect((await t.api.post(`/api/companies/${cid}/goals`, { title: "x", parentId: foreign.id })).status).toBe(422);
    for (const body of [{}, { title: "" }, { title: "x", level: "galaxy" }, { title: "x", status: "done" }, { title: "x", parentId: "nope" }, { title: "x", extra: 1 }]) {
      expect((await t.api.post(`/api/companies/${cid}/goals`, body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await t.api.patch(`/api/goals/${a.id}`, { level: "galaxy" })).status).toBe(400);
    expect((await t.api.get(`/api/goals/${a.id}`)).body).toMatchObject({ parentId: null, ownerAgentId: null, level: "task" });
    expect(await activity(a.id, "goal.updated")).toHaveLength(0);
    // Moving a subtree elsewhere (not under itself) is fine.
    expect((await t.api.patch(`/api/goals/${c.id}`, { parentId: a.id })).status).toBe(200);
  });

  it("hides other companies' goals (404)", async () => {
    const g = await createGoal({ title: "private" });
    expect((await outsiderApi.get(`/api/goals/${g.id}`)).status).toBe(404);
    expect((await outsiderApi.patch(`/api/goals/${g.id}`, { title: "mine" })).status).toBe(404);
    expect((await outsiderApi.delete(`/api/goals/${g.id}`)).status).toBe(404);
    expect((await outsiderApi.get(`/api/companies/${cid}/goals`)).status).toBe(404);
    expect((await outsiderApi.post(`/api/companies/${cid}/goals`, { title: "intrude" })).status).toBe(404);
    expect((await t.api.get(`/api/companies/00000000-0000-4000-8000-000000000000/goals`)).status).toBe(404);
    expect((await t.api.get(`/api/goals/${g.id}`)).body.title).toBe("private");
  });
});

describe("projects", () => {
  it("creates with goals, a lead, a date and a first workspace; updates goals; deletes", async () => {
    const g1 = await createGoal({ title: "G1" });
    const g2 = await createGoal({ title: "G2" });
    const p = await createProject({ name: "Apollo", goalIds: [g1.id, g2.id], leadAgentId: agent.id, targetDate: "2026-12-31", color: "#ff0000", workspace: { cwd: "/srv/apollo" } });
    expect(p).toMatchObject({ name: "Apollo", status: "backlog", goalId: g1.id, goalIds: [g1.id, g2.id], leadAgentId: agent.id, targetDate: "2026-12-31", color: "#ff0000" });
    expect(p.workspaces).toHaveLength(1);
    expect(p.primaryWorkspace).toMatchObject({ name: "apollo", cwd: "/srv/apollo", sourceType: "local_path", isPrimary: true });
    expect(await activity(p.id, "project.created")).toHaveLength(1);
    expect(await activity(p.id, "project.workspace_created")).toHaveLength(1);

    const patched = await agentApi.patch(`/api/projects/${p.id}`, { goalId: g2.id, status: "in_progress", targetDate: null });
    expect(patched.body).toMatchObject({ goalId: g2.id, goalIds: [g2.id], status: "in_progress", targetDate: null });
    expect((await t.api.get(`/api/companies/${cid}/projects?status=in_progress`)).body.map((x: any) => x.id)).toContain(p.id);

    expect((await t.api.delete(`/api/projects/${p.id}`)).body.id).toBe(p.id);
    expect((await t.api.get(`/api/projects/${p.id}`)).status).toBe(404);
    expect(await activity(p.id, "project.deleted")).toHaveLength(1);
  });

  it("refuses foreign goals and leads (422), bad bodies (400), other companies (404) — creating nothing", async () => {
    const foreignGoal = await createGoal({ title: "theirs" }, t.api, otherCid);
    const count = async () => (await t.api.get(`/api/companies/${cid}/projects`)).body.length;
    const before = await count();
    expect((await t.api.post(`/api/companies/${cid}/projects`, { name: "x", goalId: foreignGoal.id })).body.code).toBe("invalid_goal");
    expect((await t.api.post(`/api/companies/${cid}/projects`, { name: "x", leadAgentId: foreignAgent.id })).body.code).toBe("invalid_lead_agent");
    for (const body of [{}, { name: "" }, { name: "x", status: "shipped" }, { name: "x", targetDate: "tomorrow" }, { name: "x", targetDate: "2026-02-30" }, { name: "x", workspace: { cwd: "relative/path" } }, { name: "x", workspace: {} }, { name: "x", bogus: true }]) {
      expect((await t.api.post(`/api/companies/${cid}/projects`, body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await outsiderApi.post(`/api/companies/${cid}/projects`, { name: "intrude" })).status).toBe(404);
    expect(await count()).toBe(before);

    const p = await createProject({ name: "Mine" });
    expect((await outsiderApi.get(`/api/projects/${p.id}`)).status).toBe(404);
    expect((await outsiderApi.patch(`/api/projects/${p.id}`, { name: "theirs" })).status).toBe(404);
    expect((await outsiderApi.get(`/api/projects/${p.id}/workspaces`)).status).toBe(404);
    expect((await t.api.patch(`/api/projects/${p.id}`, { leadAgentId: foreignAgent.id })).status).toBe(422);
    expect((await t.api.get(`/api/projects/${p.id}`)).body).toMatchObject({ name: "Mine", leadAgentId: null });
  });
});

describe("project workspaces", () => {
  it("needs an absolute cwd or a repoUrl; keeps exactly one primary through create, patch and delete", async () => {
    const p = await createProject({ name: "Hermes" });
    const base = `/api/projects/${p.id}/workspaces`;
    expect((await t.api.post(base, { cwd: "rel/dir" })).status).toBe(400);
    expect((await t.api.post(base, { name: "nothing" })).status).toBe(400);
    expect((await t.api.post(base, { repoUrl: "not a url" })).status).toBe(400);
    expect((await t.api.get(base)).body).toEqual([]);

    const w1 = (await t.api.post(base, { cwd: "/srv/hermes" })).body;
    expect(w1).toMatchObject({ isPrimary: true, sourceType: "local_path", name: "hermes" });
    const w2 = (await agentApi.post(base, { repoUrl: "https://github.com/acme/hermes.git" })).body;
    expect(w2).toMatchObject({ isPrimary: false, sourceType: "git_repo", name: "hermes", cwd: null });
    const moved = await t.api.patch(`${base}/${w2.id}`, { isPrimary: true, name: "upstream" });
    expect(moved.body).toMatchObject({ isPrimary: true, name: "upstream" });
    expect((await t.api.get(base)).body.filter((w: any) => w.isPrimary).map((w: any) => w.id)).toEqual([w2.id]);

    expect((await t.api.patch(`${base}/${w2.id}`, { repoUrl: null })).status).toBe(422);
    expect((await t.api.patch(`${base}/${w2.id}`, { cwd: "relative" })).status).toBe(400);
    expect((await t.api.patch(`${base}/${w2.id}`, { bogus: 1 })).status).toBe(400);
    expect((await t.api.get(base)).body.find((w: any) => w.id === w2.id).repoUrl).toBe("https://github.com/acme/hermes.git");

    expect((await t.api.delete(`${base}/${w2.id}`)).body.id).toBe(w2.id);
    expect((await t.api.get(base)).body).toMatchObject([{ id: w1.id, isPrimary: true }]);
    expect((await t.api.delete(`${base}/${w2.id}`)).status).toBe(404);
    expect(await activity(p.id, "project.workspace_created")).toHaveLength(2);
    expect(await activity(p.id, "project.workspace_updated")).toHaveLength(1);
    expect(await activity(p.id, "project.workspace_deleted")).toHaveLength(1);
  });

  it("a workspace id from another project is not found", async () => {
    const a = await createProject({ name: "A", workspace: { cwd: "/srv/a" } });
    const b = await createProject({ name: "B" });
    const wid = a.primaryWorkspace.id;
    expect((await t.api.patch(`/api/projects/${b.id}/workspaces/${wid}`, { name: "stolen" })).status).toBe(404);
    expect((await t.api.delete(`/api/projects/${b.id}/workspaces/${wid}`)).status).toBe(404);
    expect((await t.api.delete(`/api/projects/${b.id}/workspaces/nope`)).status).toBe(404);
    expect((await t.api.get(`/api/projects/${a.id}`)).body.primaryWorkspace.name).toBe("a");
  });
});

describe("viewers", () => {
  // A viewer in authenticated mode needs a whole sign-up flow; the rule itself lives in one helper.
  it("may read but not write goals and projects, nor decide approvals", () => {
    const viewer: BoardActor = { type: "board", userId: "u-viewer", memberships: [{ companyId: "c1", role: "viewer" }], isInstanceAdmin: false, source: "session" };
    const operator: BoardActor = { ...viewer, memberships: [{ companyId: "c1", role: "operator" }] };
    expect(() => assertCompanyAccess(viewer, "c1", "read")).not.toThrow();
    expect(() => assertCompanyAccess(viewer, "c1", "write")).toThrow(/Viewer access is read-only/);
    expect(() => assertCompanyAccess(operator, "c1", "write")).not.toThrow();
    expect(() => assertCompanyAccess(operator, "c1", "manage")).toThrow(/Owner or admin/);
    expect(() => assertCompanyAccess(viewer, "c2", "read")).toThrow(/not found/);
  });
});
