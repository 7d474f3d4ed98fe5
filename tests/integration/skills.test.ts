/**
 * Skills through the real engine: a company's library (built-ins + its own skills, CRUD and tenancy),
 * an agent's choice (snapshot and sync, which goes through the agent update path), and per-run
 * delivery — a claude_local run (tests/fixtures/fake-claude.mjs) gets its skills in a run-private
 * directory it sees through --add-dir, the run records them, and the directory is gone afterwards;
 * a codex_local run finds them listed in its prompt; a process run mounts nothing.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logText, type ApiClient } from "../helpers/api-client.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";

const fakeClaude = path.resolve("tests/fixtures/fake-claude.mjs");
const fakeCodex = path.resolve("tests/fixtures/fake-codex.mjs");
const BUILTINS = ["create-agent", "create-plugin", "para-memory", "switchboard"];
const noTimer = { heartbeat: { enabled: false } };

let t: TestRuntime;
let companyA: string;
let companyB: string;

beforeAll(async () => {
  fs.chmodSync(fakeClaude, 0o755);
  t = await startTestRuntime();
  companyA = (await t.api.createCompany("Skills A")).id;
  companyB = (await t.api.createCompany("Skills B")).id;
});
afterAll(async () => t?.stop());

const releaseNotes = { key: "release-notes", name: "Release notes", description: "How we write release notes", markdown: "# Release notes\n\nOne line per change, newest first.\n" };

const createClaudeAgent = (companyId: string, name: string, extra: Record<string, unknown> = {}) =>
  t.api.createAgent(companyId, { name, adapterType: "claude_local", adapterConfig: { command: fakeClaude, cwd: os.tmpdir(), ...extra }, runtimeConfig: noTimer });

const runOnce = async (agentId: string) => t.api.waitForRun((await t.api.wake(agentId, { source: "on_demand", triggerDetail: "manual", reason: "skills test" })).id);

const activityActions = async (companyId: string, entityId: string) =>
  (await t.runtime.db.selectFrom("activity_log").select("action").where("companyId", "=", companyId).where("entityId", "=", entityId).orderBy("createdAt").execute()).map((r) => r.action);

describe("company skill library", () => {
  let agentOfA: ApiClient;

  beforeAll(async () => {
    const agent = await t.api.createAgent(companyA, { name: "reader", adapterConfig: { command: "/bin/true", args: [] }, runtimeConfig: noTimer });
    agentOfA = t.api.as(await t.api.createAgentKey(agent.id));
  });

  it("lists the built-ins, without markdown unless asked", async () => {
    const list = await t.api.get(`/api/companies/${companyA}/skills`);
    expect(list.status).toBe(200);
    expect(list.body.map((s: any) => s.key)).toEqual(BUILTINS);
    for (const s of list.body) {
      expect(s).toMatchObject({ source: "builtin", readOnly: true, id: null });
      expect(s.versionId).toMatch(/^[0-9a-f]{12}$/);
      expect(s).not.toHaveProperty("markdown");
    }
    expect(list.body.find((s: any) => s.key === "switchboard").description).toContain("heartbeat protocol");

    const withMarkdown = await t.api.get(`/api/companies/${companyA}/skills?include=markdown`);
    const onDisk = fs.readFileSync(path.resolve("skills/switchboard/SKILL.md"), "utf8");
    expect(withMarkdown.body.find((s: any) => s.key === "switchboard").markdown).toBe(onDisk);
    expect((await t.api.get(`/api/companies/${companyA}/skills?include=everything`)).status).toBe(400);
  });

  it("adds, reads, changes and deletes a company skill, with one activity row per change", async () => {
    const created = await t.api.post(`/api/companies/${companyA}/skills`, releaseNotes);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...releaseNotes, source: "company", readOnly: false, createdByUserId: "local-board" });
    const v1 = created.body.versionId as string;
    expect(v1).toMatch(/^[0-9a-f]{12}$/);

    const list = (await t.api.get(`/api/companies/${companyA}/skills`)).body.map((s: any) => `${s.source}:${s.key}`);
    expect(list).toEqual([...BUILTINS.map((k) => `builtin:${k}`), "company:release-notes"]);
    expect((await t.api.get(`/api/companies/${companyA}/skills/release-notes`)).body).toMatchObject({ key: "release-notes", markdown: releaseNotes.markdown, versionId: v1 });
    expect((await t.api.get(`/api/companies/${companyA}/skills/switchboard`)).body).toMatchObject({ source: "builtin", readOnly: true, markdown: expect.stringContaining("name: switchboard") });

    const changed = await t.api.patch(`/api/companies/${companyA}/skills/release-notes`, { markdown: "# Release notes\n\nGroup changes by area.\n" });
    expect(changed.status).toBe(200);
    expect(changed.body.versionId).not.toBe(v1);
    expect(changed.body.name).toBe("Release notes");

    const temp = await t.api.post(`/api/companies/${companyA}/skills`, { key: "scratch", name: "Scratch", markdown: "temporary" });
    expect(temp.status).toBe(201);
    expect((await t.api.delete(`/api/companies/${companyA}/skills/scratch`)).body).toEqual({ ok: true });
    expect((await t.api.get(`/api/companies/${companyA}/skills/scratch`)).status).toBe(404);
    expect((await t.api.delete(`/api/companies/${companyA}/skills/scratch`)).status).toBe(404);

    expect(await activityActions(companyA, created.body.id)).toEqual(["skill.created", "skill.updated"]);
    expect(await activityActions(companyA, temp.body.id)).toEqual(["skill.created", "skill.deleted"]);
  });

  it("refuses a taken key, a built-in key and malformed keys or bodies", async () => {
    const again = await t.api.post(`/api/companies/${companyA}/skills`, releaseNotes);
    expect(again).toMatchObject({ status: 409, body: { code: "skill_exists" } });
    const shadow = await t.api.post(`/api/companies/${companyA}/skills`, { ...releaseNotes, key: "switchboard" });
    expect(shadow).toMatchObject({ status: 409, body: { code: "skill_key_reserved" } });
    expect(shadow.body.error).toContain("built-in");

    for (const key of ["Release-Notes", "release notes", "../etc", "-dash", "a".repeat(65), ""]) {
      const res = await t.api.post(`/api/companies/${companyA}/skills`, { ...releaseNotes, key });
      expect(res.status, key).toBe(400);
      expect(JSON.stringify(res.body.details), key).toContain("key");
    }
    const huge = await t.api.post(`/api/companies/${companyA}/skills`, { ...releaseNotes, key: "huge", markdown: "x".repeat(256 * 1024 + 1) });
    expect(huge.status).toBe(400);
    expect(JSON.stringify(huge.body.details)).toContain("256 KB");
    expect((await t.api.post(`/api/companies/${companyA}/skills`, { key: "empty", name: "Empty", markdown: "  " })).status).toBe(400);

    expect((await t.api.patch(`/api/companies/${companyA}/skills/switchboard`, { name: "Mine now" }))).toMatchObject({ status: 409, body: { code: "builtin_skill_read_only" } });
    expect((await t.api.delete(`/api/companies/${companyA}/skills/para-memory`))).toMatchObject({ status: 409, body: { code: "builtin_skill_read_only" } });
    expect((await t.api.patch(`/api/companies/${companyA}/skills/release-notes`, {})).status).toBe(400);
    expect((await t.api.get(`/api/companies/${companyA}/skills/Not_A_Key`)).status).toBe(404);
  });

  it("keeps each company's skills to itself", async () => {
    // Company B does not have A's skill: a 404, as for any key it does not have.
    expect((await t.api.get(`/api/companies/${companyB}/skills/release-notes`)).status).toBe(404);
    expect((await t.api.patch(`/api/companies/${companyB}/skills/release-notes`, { name: "x" })).status).toBe(404);
    expect((await t.api.get(`/api/companies/${companyB}/skills`)).body.map((s: any) => s.key)).toEqual(BUILTINS);

    // An agent of A sees A's library, nothing of B's, and cannot change A's.
    expect((await agentOfA.get(`/api/companies/${companyA}/skills/release-notes`)).status).toBe(200);
    expect((await agentOfA.get(`/api/companies/${companyB}/skills`)).status).toBe(404);
    expect((await agentOfA.get(`/api/companies/${companyB}/skills/switchboard`)).status).toBe(404);
    expect((await agentOfA.post(`/api/companies/${companyB}/skills`, { ...releaseNotes, key: "sneaky" })).status).toBe(404);
    expect((await agentOfA.post(`/api/companies/${companyA}/skills`, { ...releaseNotes, key: "sneaky" })).status).toBe(403);
    expect((await agentOfA.delete(`/api/companies/${companyA}/skills/release-notes`)).status).toBe(403);
    expect((await t.api.get(`/api/companies/${companyA}/skills/sneaky`)).status).toBe(404);
  });
});

describe("an agent's skills", () => {
  it("defaults to the built-ins, and sync replaces, adds and removes through a config revision", async () => {
    const agent = await createClaudeAgent(companyA, "chooser");
    const initial = await t.api.get(`/api/agents/${agent.id}/skills`);
    expect(initial.status).toBe(200);
    expect(initial.body).toMatchObject({ adapterType: "claude_local", supported: true, mode: "ephemeral", warnings: [] });
    expect(initial.body.desiredSkills).toEqual(["switchboard", "create-agent", "create-plugin", "para-memory"]);
    expect(initial.body.entries[0]).toMatchObject({ key: "switchboard", runtimeName: "switchboard", desired: true, managed: true, state: "configured", origin: "company_managed", versionId: expect.stringMatching(/^[0-9a-f]{12}$/) });
    expect(initial.body.entries[0].detail).toContain("Always mounted");

    const replaced = await t.api.post(`/api/agents/${agent.id}/skills/sync`, { desiredSkills: ["release-notes", "no-such-skill"] });
    expect(replaced.status).toBe(200);
    expect(replaced.body.desiredSkills).toEqual(["switchboard", "release-notes", "no-such-skill"]);
    expect(replaced.body.entries.map((e: any) => [e.key, e.state])).toEqual([["switchboard", "configured"], ["release-notes", "configured"], ["no-such-skill", "missing"]]);
    expect(replaced.body.entries[1]).toMatchObject({ originLabel: "Company skill", readOnly: false });
    expect(replaced.body.warnings).toEqual([expect.stringContaining('"no-such-skill"')]);

    const added = await t.api.post(`/api/agents/${agent.id}/skills/sync`, { desiredSkills: ["para-memory", "release-notes"], mode: "add" });
    expect(added.body.desiredSkills).toEqual(["switchboard", "release-notes", "no-such-skill", "para-memory"]);

    const removed = await t.api.post(`/api/agents/${agent.id}/skills/sync`, { desiredSkills: ["no-such-skill", "switchboard"], mode: "remove" });
    expect(removed.body.desiredSkills).toEqual(["switchboard", "release-notes", "para-memory"]);
    expect(removed.body.entries.every((e: any) => e.state === "configured")).toBe(true);
    expect(removed.body.warnings).toEqual([expect.stringContaining("stays mounted")]);

    // Stored where Paperclip keeps it, the rest of the config untouched, one revision per sync.
    const stored = (await t.api.get(`/api/agents/${agent.id}`)).body.adapterConfig;
    expect(stored).toMatchObject({ command: fakeClaude, paperclipSkillSync: { desiredSkills: ["release-notes", "para-memory"] } });
    const revisions = (await t.api.get(`/api/agents/${agent.id}/config-revisions`)).body as any[];
    expect(revisions.map((r) => [r.source, r.changedKeys])).toEqual([
      ["skills_sync", ["adapterConfig"]],
      ["skills_sync", ["adapterConfig"]],
      ["skills_sync", ["adapterConfig"]],
    ]);
    expect(await activityActions(companyA, agent.id)).toEqual(["agent.created", "agent.skills_synced", "agent.skills_synced", "agent.skills_synced"]);
    expect((await t.api.get(`/api/agents/${agent.id}/skills`)).body.desiredSkills).toEqual(["switchboard", "release-notes", "para-memory"]);

    expect((await t.api.post(`/api/agents/${agent.id}/skills/sync`, { desiredSkills: ["x"], mode: "merge" })).status).toBe(400);
    expect((await t.api.post(`/api/agents/${agent.id}/skills/sync`, { desiredSkills: "release-notes" })).status).toBe(400);
  });

  it("is the agent's own business: it reads and syncs itself, not another agent", async () => {
    const self = await createClaudeAgent(companyA, "self");
    const other = await createClaudeAgent(companyA, "other");
    const asSelf = t.api.as(await t.api.createAgentKey(self.id));
    expect((await asSelf.get(`/api/agents/${self.id}/skills`)).status).toBe(200);
    expect((await asSelf.post(`/api/agents/${self.id}/skills/sync`, { desiredSkills: ["para-memory"] })).body.desiredSkills).toEqual(["switchboard", "para-memory"]);
    expect((await asSelf.get(`/api/agents/${other.id}/skills`)).status).toBe(403);
    expect((await asSelf.post(`/api/agents/${other.id}/skills/sync`, { desiredSkills: [] })).status).toBe(403);
    const foreign = await createClaudeAgent(companyB, "foreign");
    expect((await asSelf.get(`/api/agents/${foreign.id}/skills`)).status).toBe(404);
  });

  it("reports adapters without skills as unsupported", async () => {
    const agent = await t.api.createAgent(companyA, { name: "plain", adapterConfig: { command: "/bin/true", args: [] }, runtimeConfig: noTimer });
    const snapshot = (await t.api.get(`/api/agents/${agent.id}/skills`)).body;
    expect(snapshot).toMatchObject({ adapterType: "process", supported: false, mode: "unsupported", entries: [] });
    expect(snapshot.warnings[0]).toContain("mount no skills");
  });
});

describe("per-run delivery", () => {
  it("mounts a claude_local run's skills in a run-private directory, records them, and removes the directory", async () => {
    const agent = await createClaudeAgent(companyA, "mounted", { paperclipSkillSync: { desiredSkills: ["release-notes", "gone-skill"] } });
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "succeeded", errorCode: null });

    const library = (await t.api.get(`/api/companies/${companyA}/skills`)).body as any[];
    const version = (key: string) => library.find((s) => s.key === key).versionId;
    expect(run.mountedSkills).toEqual([
      { key: "switchboard", source: "builtin", versionId: version("switchboard") },
      { key: "release-notes", source: "company", versionId: version("release-notes") },
    ]);

    const runDir = path.join(t.config.home, "runs", run.id);
    const log = (await t.api.runLog(run.id)).content;
    // Claude Code finds them itself under the --add-dir directory, inside the run directory.
    expect(logText(log, "stderr")).toContain(`fake-claude skills in ${path.join(runDir, "claude")}: ["release-notes","switchboard"]`);
    expect(logText(log, "stderr")).toContain(`"--add-dir","${path.join(runDir, "claude")}"`);
    const system = logText(log, "system");
    expect(system).toContain(`"PAPERCLIP_SKILLS_DIR":"${path.join(runDir, "skills")}"`);
    expect(system).toContain("skills mounted: switchboard (builtin");
    expect(system).toContain('Skill "gone-skill" is desired but');
    expect(fs.existsSync(runDir)).toBe(false);
  });

  it("lists the mounted skills in the prompt of a runtime without native skill loading (codex_local)", async () => {
    fs.chmodSync(fakeCodex, 0o755);
    const agent = await t.api.createAgent(companyA, { name: "codexer", adapterType: "codex_local", adapterConfig: { command: fakeCodex, cwd: os.tmpdir(), paperclipSkillSync: { desiredSkills: ["release-notes"] } }, runtimeConfig: noTimer });
    const run = await runOnce(agent.id);
    expect(run.status).toBe("succeeded");
    expect(run.mountedSkills.map((s: any) => s.key)).toEqual(["switchboard", "release-notes"]);
    const skillsDir = path.join(t.config.home, "runs", run.id, "skills");
    // fake-codex echoes the prompt it read on stdin in its agent message.
    const stdout = logText((await t.api.runLog(run.id)).content, "stdout");
    expect(stdout).toContain("## Skills mounted for this run");
    expect(stdout).toContain(`- switchboard: ${path.join(skillsDir, "switchboard", "SKILL.md")}`);
    expect(stdout).toContain(`- release-notes: ${path.join(skillsDir, "release-notes", "SKILL.md")}`);
    expect(fs.existsSync(path.dirname(skillsDir))).toBe(false);
  });

  it("mounts nothing for a process agent", async () => {
    const agent = await t.api.createAgent(companyA, { name: "processor", adapterConfig: { command: process.execPath, args: ["-e", "console.log(process.env.PAPERCLIP_SKILLS_DIR ?? 'no skills dir')"], paperclipSkillSync: { desiredSkills: ["release-notes"] } }, runtimeConfig: noTimer });
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "succeeded", mountedSkills: null });
    expect(logText((await t.api.runLog(run.id)).content, "stdout")).toContain("no skills dir");
    expect(fs.existsSync(path.join(t.config.home, "runs", run.id))).toBe(false);
  });
});
