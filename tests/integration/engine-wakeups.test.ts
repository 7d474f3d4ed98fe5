/**
 * Wakeup sources, the audit rows they leave, coalescing, idempotency, policy skips, and sessions,
 * tokens and cost carried from run to run — all through the real engine and API.
 */
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logText } from "../helpers/api-client.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";
import { waitFor } from "../helpers/wait.js";

const fixtures = path.resolve("tests/fixtures");
let t: TestRuntime;
let companyId: string;

beforeAll(async () => {
  t = await startTestRuntime();
  companyId = (await t.api.createCompany("Wakes Ltd")).id;
});
afterAll(async () => t?.stop());

const printEnv = {
  command: process.execPath,
  args: ["-e", "for (const k of ['PAPERCLIP_WAKE_REASON','PAPERCLIP_TASK_ID','PAPERCLIP_WAKE_COMMENT_ID']) console.log(k + '=' + (process.env[k] ?? ''))"],
  cwd: os.tmpdir(),
};
const sleeper = (secs: number) => ({ command: path.join(fixtures, "sleeper.mjs"), args: [String(secs)], cwd: os.tmpdir() });
const wakeups = async (agentId: string) => (await t.api.get(`/api/agents/${agentId}/wakeup-requests?limit=200`)).body as any[];

describe("wakeup sources", () => {
  it.each([
    { source: "on_demand", triggerDetail: "manual", reason: "board click", payload: undefined, expectEnv: "PAPERCLIP_WAKE_REASON=board click" },
    { source: "assignment", triggerDetail: "system", reason: "issue_assigned", payload: { issueId: "11111111-1111-4111-8111-111111111111" }, expectEnv: "PAPERCLIP_TASK_ID=11111111-1111-4111-8111-111111111111" },
    { source: "automation", triggerDetail: "system", reason: "issue_comment_mentioned", payload: { issueId: "22222222-2222-4222-8222-222222222222", commentId: "c-9" }, expectEnv: "PAPERCLIP_WAKE_COMMENT_ID=c-9" },
    { source: "automation", triggerDetail: "callback", reason: "webhook", payload: { delivery: "gh-1" }, expectEnv: "PAPERCLIP_WAKE_REASON=webhook" },
  ])("$source/$reason: a wakeup row, a context snapshot, and the env the agent sees", async ({ source, triggerDetail, reason, payload, expectEnv }) => {
    const agent = await t.api.createAgent(companyId, { name: `src-${source}-${reason}`, adapterConfig: printEnv });
    const queued = await t.api.wake(agent.id, { source, triggerDetail, reason, ...(payload ? { payload } : {}) });
    expect(queued).toMatchObject({ invocationSource: source, triggerDetail, status: "queued" });
    expect(queued.contextSnapshot).toMatchObject({ wakeReason: reason, wakeSource: source, wakeTriggerDetail: triggerDetail });
    if (payload?.issueId) expect(queued.contextSnapshot).toMatchObject({ issueId: payload.issueId, taskId: payload.issueId, taskKey: payload.issueId });
    const run = await t.api.waitForRun(queued.id);
    expect(run.status).toBe("succeeded");
    expect(logText((await t.api.runLog(run.id)).content)).toContain(expectEnv);

    const [row] = await wakeups(agent.id);
    expect(row).toMatchObject({ source, triggerDetail, reason, status: "completed", runId: run.id, coalescedCount: 0, requestedByActorType: "user" });
    expect(row.claimedAt).not.toBeNull();
    expect(row.finishedAt).not.toBeNull();
  });
});

describe("coalescing and idempotency", () => {
  it("wakes for the same task merge into the one queued run, keeping every reason", async () => {
    const agent = await t.api.createAgent(companyId, { name: "coalescer", adapterConfig: sleeper(1) });
    const busy = await t.api.wake(agent.id, { reason: "first" }); // starts at once and keeps the only slot
    await t.api.waitForRun(busy.id, 10_000, (r) => r.status === "running");
    const a = await t.api.wake(agent.id, { reason: "r1", payload: { taskKey: "T" } });
    const b = await t.api.wake(agent.id, { reason: "r2", payload: { taskKey: "T" } });
    const c = await t.api.wake(agent.id, { reason: "r3", payload: { taskKey: "T" } });
    const other = await t.api.wake(agent.id, { reason: "r4", payload: { taskKey: "U" } });
    expect(b.id).toBe(a.id);
    expect(c.id).toBe(a.id);
    expect(other.id).not.toBe(a.id);
    for (const r of [busy, a, other]) expect((await t.api.waitForRun(r.id)).status).toBe("succeeded");

    const merged = (await t.api.get(`/api/heartbeat-runs/${a.id}`)).body;
    expect(merged.contextSnapshot.wakeReason).toBe("r1");
    expect(merged.contextSnapshot.coalescedWakeReasons).toEqual(["r2", "r3"]);
    const rows = await wakeups(agent.id);
    const primary = rows.find((r) => r.runId === a.id && r.status === "completed");
    expect(primary).toMatchObject({ reason: "r1", coalescedCount: 2 });
    expect(rows.filter((r) => r.runId === a.id && r.status === "coalesced").map((r) => r.reason).sort()).toEqual(["r2", "r3"]);
    // Exactly three runs for five wakes.
    const runs = (await t.api.get(`/api/companies/${companyId}/heartbeat-runs?agentId=${agent.id}`)).body;
    expect(runs).toHaveLength(3);
  });

  it("an idempotency key seen before returns the same run, also after it finished", async () => {
    const agent = await t.api.createAgent(companyId, { name: "idem", adapterConfig: sleeper(0) });
    const first = await t.api.wake(agent.id, { idempotencyKey: "deploy-42" });
    const again = await t.api.request("POST", `/api/agents/${agent.id}/wakeup`, { idempotencyKey: "deploy-42" });
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.id);
    expect(again.headers.get("x-switchboard-wake-disposition")).toBe("duplicate");
    await t.api.waitForRun(first.id);
    expect((await t.api.wake(agent.id, { idempotencyKey: "deploy-42" })).id).toBe(first.id);
    expect((await t.api.wake(agent.id, { idempotencyKey: "deploy-43" })).id).not.toBe(first.id);
  });
});

describe("policy", () => {
  it("wakeOnDemand=false skips non-timer wakes with a skipped row and no run", async () => {
    const agent = await t.api.createAgent(companyId, { name: "sleepy", adapterConfig: sleeper(0), runtimeConfig: { heartbeat: { wakeOnDemand: false } } });
    const res = await t.api.post(`/api/agents/${agent.id}/wakeup`, { reason: "please" });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: "skipped", reason: "heartbeat.wakeOnDemand.disabled" });
    const [row] = await wakeups(agent.id);
    expect(row).toMatchObject({ status: "skipped", reason: "heartbeat.wakeOnDemand.disabled", runId: null });
    expect((await t.api.get(`/api/companies/${companyId}/heartbeat-runs?agentId=${agent.id}`)).body).toHaveLength(0);
  });

  it("a timer wake for an agent whose timer is disabled is skipped", async () => {
    const agent = await t.api.createAgent(companyId, { name: "no-timer", adapterConfig: sleeper(0), runtimeConfig: { heartbeat: { enabled: false } } });
    const res = await t.api.post(`/api/agents/${agent.id}/wakeup`, { source: "timer" });
    expect(res.body).toMatchObject({ status: "skipped", reason: "heartbeat.disabled" });
  });
});

describe("sessions, tokens and cost", () => {
  it("resumes the task's session, starts fresh on forceFreshSession and issue_assigned, and accumulates usage", async () => {
    const agent = await t.api.createAgent(companyId, { name: "sessions", adapterConfig: { command: path.join(fixtures, "session-agent.mjs"), args: [], cwd: os.tmpdir() } });
    const run = async (body: Record<string, unknown>) => t.api.waitForRun((await t.api.wake(agent.id, body)).id);

    const r1 = await run({ payload: { taskKey: "task-1" } });
    expect(r1).toMatchObject({ status: "succeeded", sessionIdBefore: null, sessionIdAfter: `sess-${r1.id}` });
    const r2 = await run({ payload: { taskKey: "task-1" } });
    expect(r2).toMatchObject({ sessionIdBefore: `sess-${r1.id}`, sessionIdAfter: `sess-${r1.id}` });
    expect(logText((await t.api.runLog(r2.id)).content)).toContain(`session before=sess-${r1.id}`);

    const fresh = await run({ payload: { taskKey: "task-1" }, forceFreshSession: true });
    expect(fresh).toMatchObject({ sessionIdBefore: null, sessionIdAfter: `sess-${fresh.id}` });
    const assigned = await run({ source: "assignment", reason: "issue_assigned", payload: { taskKey: "task-1" } });
    expect(assigned).toMatchObject({ sessionIdBefore: null, sessionIdAfter: `sess-${assigned.id}` });
    // Another task has a session of its own.
    const other = await run({ payload: { taskKey: "task-2" } });
    expect(other.sessionIdBefore).toBeNull();

    const sessions = (await t.api.get(`/api/agents/${agent.id}/task-sessions`)).body as any[];
    expect(sessions.find((s) => s.taskKey === "task-1")).toMatchObject({ sessionDisplayId: `sess-${assigned.id}`, lastRunId: assigned.id, adapterType: "process" });
    expect(sessions.find((s) => s.taskKey === "task-2")).toMatchObject({ sessionDisplayId: `sess-${other.id}` });

    const state = (await t.api.get(`/api/agents/${agent.id}/runtime-state`)).body;
    expect(state).toMatchObject({ totalInputTokens: 500, totalOutputTokens: 250, totalCachedInputTokens: 50, totalCostCents: 10, lastRunId: other.id, lastRunStatus: "succeeded" });

    const costs = await t.runtime.db.selectFrom("cost_events").selectAll().where("agentId", "=", agent.id).execute();
    expect(costs).toHaveLength(5);
    expect(new Set(costs.map((c) => c.heartbeatRunId)).size).toBe(5);
    expect(costs[0]).toMatchObject({ provider: "anthropic", model: "fake-model", billingType: "metered_api", costCents: 2, inputTokens: 100 });
  });

  it("agent status follows its runs and lastHeartbeatAt advances", async () => {
    const agent = await t.api.createAgent(companyId, { name: "status", adapterConfig: sleeper(1) });
    expect(agent.status).toBe("idle");
    const queued = await t.api.wake(agent.id);
    await waitFor("agent running", async () => (await t.api.get(`/api/agents/${agent.id}`)).body.status === "running", 10_000);
    await t.api.waitForRun(queued.id);
    const after = (await t.api.get(`/api/agents/${agent.id}`)).body;
    expect(after.status).toBe("idle");
    const first = Date.parse(after.lastHeartbeatAt);
    await t.api.waitForRun((await t.api.wake(agent.id)).id);
    expect(Date.parse((await t.api.get(`/api/agents/${agent.id}`)).body.lastHeartbeatAt)).toBeGreaterThan(first);
  });
});
