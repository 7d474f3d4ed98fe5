/**
 * Agent lifecycle and wakeups as the API performs them: the database row says what the agent is
 * (and gates new work at once), the agent workflow does the scheduling consequences (cancel queued
 * and running runs, timers). Each step is idempotent, so a retried request converges.
 */
import { sql } from "kysely";
import type { Db } from "../db/connection.js";
import { getAgent } from "../db/queries/agents.js";
import type { AgentRef, AgentScheduler } from "../temporal/agent-scheduler.js";
import type { AgentScheduleConfig, WakeResult } from "../workflows/definitions.js";
import { assertInvocationAllowed, issueIdOfWake } from "./budgets/gate.js";
import { conflict, notFound } from "./errors.js";
import { hasTimer, parseHeartbeatPolicy } from "./heartbeat-policy.js";
import { NOT_INVOKABLE_STATUSES, NOT_INVOKABLE_STATUS_LIST, buildWakeRequest, type WakeInput } from "./wakeups.js";

type AgentRow = NonNullable<Awaited<ReturnType<typeof getAgent>>>;

export function scheduleConfigOf(runtimeConfig: unknown): AgentScheduleConfig {
  const policy = parseHeartbeatPolicy(runtimeConfig);
  return { maxConcurrentRuns: policy.maxConcurrentRuns, intervalSec: policy.intervalSec, timerEnabled: policy.enabled, wakeOnDemand: policy.wakeOnDemand };
}

export function agentRef(agent: Pick<AgentRow, "id" | "companyId" | "runtimeConfig">): AgentRef {
  return { id: agent.id, companyId: agent.companyId, config: scheduleConfigOf(agent.runtimeConfig) };
}

async function requireAgent(db: Db, id: string): Promise<AgentRow> {
  const agent = await getAgent(db, id);
  if (!agent) throw notFound("Agent not found");
  return agent;
}

export interface WakeOutcome {
  result: WakeResult;
  agent: AgentRow;
}

/** The single entry point for every wake source (manual, assignment, automation, ...). */
export async function wakeAgent(db: Db, scheduler: AgentScheduler, agentId: string, input: WakeInput): Promise<WakeOutcome> {
  const agent = await requireAgent(db, agentId);
  // Budget first: a budget-paused agent answers `budget_blocked`, not a bare "not invokable".
  await assertInvocationAllowed(db, { companyId: agent.companyId, agentId, issueId: issueIdOfWake(input) });
  if (NOT_INVOKABLE_STATUSES.has(agent.status)) {
    throw conflict("Agent is not invokable in its current state", { status: agent.status });
  }
  const result = await scheduler.requestWakeup(agentRef(agent), buildWakeRequest(input));
  return { result, agent };
}

/** After a runtimeConfig change (or at boot for timer agents): the workflow adopts the new schedule at once. */
export async function syncSchedule(scheduler: AgentScheduler, agent: AgentRow): Promise<void> {
  if (NOT_INVOKABLE_STATUSES.has(agent.status)) return;
  await scheduler.configure(agentRef(agent));
}

export async function pauseAgent(db: Db, scheduler: AgentScheduler, agentId: string, reason: string | null): Promise<AgentRow> {
  const agent = await requireAgent(db, agentId);
  if (agent.status === "terminated") throw conflict("Agent is terminated", { status: agent.status });
  if (agent.status !== "paused") {
    await db
      .updateTable("agents")
      .set({ status: "paused", pauseReason: reason ?? "manual", pausedAt: sql`now()`, updatedAt: sql`now()` })
      .where("id", "=", agentId)
      .execute();
  }
  // Also when already paused: a retry after a scheduler outage must still cancel its runs.
  await scheduler.setPaused(agentId, true);
  return requireAgent(db, agentId);
}

export async function resumeAgent(db: Db, scheduler: AgentScheduler, agentId: string): Promise<AgentRow> {
  const agent = await requireAgent(db, agentId);
  if (agent.status === "terminated") throw conflict("Agent is terminated", { status: agent.status });
  if (agent.status === "pending_approval") throw conflict("Agent is pending approval", { status: agent.status });
  if (agent.status === "paused") {
    await db
      .updateTable("agents")
      .set({ status: "idle", pauseReason: null, pausedAt: null, updatedAt: sql`now()` })
      .where("id", "=", agentId)
      .execute();
  }
  const resumed = await requireAgent(db, agentId);
  await scheduler.setPaused(agentId, false);
  // Config changed while paused was not pushed (a paused agent's schedule is frozen): push it now,
  // which also brings a timer agent's workflow back if it was gone.
  await syncSchedule(scheduler, resumed);
  return resumed;
}

export async function terminateAgent(db: Db, scheduler: AgentScheduler, agentId: string): Promise<AgentRow> {
  await requireAgent(db, agentId);
  await db.updateTable("agents").set({ status: "terminated", updatedAt: sql`now()` }).where("id", "=", agentId).execute();
  await scheduler.terminate(agentId);
  return requireAgent(db, agentId);
}

/** Boot-time: make sure every agent with a timer has its workflow (e.g. after moving to a new cluster). */
export async function ensureTimerWorkflows(db: Db, scheduler: AgentScheduler): Promise<number> {
  const agents = await db
    .selectFrom("agents")
    .selectAll()
    .where("status", "not in", [...NOT_INVOKABLE_STATUS_LIST])
    .where(sql<boolean>`coalesce((runtime_config->'heartbeat'->>'intervalSec')::numeric, 0) > 0`)
    .execute();
  let started = 0;
  for (const agent of agents) {
    if (!hasTimer(parseHeartbeatPolicy(agent.runtimeConfig))) continue;
    await scheduler.configure(agentRef(agent));
    started++;
  }
  return started;
}
