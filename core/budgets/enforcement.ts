/**
 * Budget decisions, engine half: after the database says a scope is paused (or resumed), its agent
 * workflows follow — pausing a workflow cancels its queued and running runs. The database pause is
 * the durable gate (wakes and claims check it), so a failure here delays cancellation, never lets
 * new work through.
 *
 * Called after the deciding transaction commits. From an API request it is awaited; from inside a
 * run's own finalisation it must run in the background (the agent workflow is waiting for that
 * very activity, and an update sent to it would wait for the activity in turn).
 */
import { sql } from "kysely";
import type { Db } from "../../db/connection.js";
import type { AgentScheduler } from "../../temporal/agent-scheduler.js";
import { resumeAgent } from "../agent-lifecycle.js";
import { hasBudgetEffects, type BudgetEffects } from "./effects.js";
import type { ScopeRef } from "./scope.js";

export { hasBudgetEffects, mergeBudgetEffects, noBudgetEffects, type BudgetEffects } from "./effects.js";

/** Applies every effect it can; returns the failures (each one is retried by the next decision). */
export async function applyBudgetEffects(db: Db, scheduler: AgentScheduler, effects: BudgetEffects): Promise<string[]> {
  const tasks: Array<Promise<unknown>> = [];
  for (const scope of effects.stop) tasks.push(...(await stopTasks(db, scheduler, scope)));
  for (const scope of effects.resume) tasks.push(...(await resumeTasks(db, scheduler, scope)));
  const results = await Promise.allSettled(tasks);
  return results.flatMap((r) => (r.status === "rejected" ? [r.reason instanceof Error ? r.reason.message : String(r.reason)] : []));
}

/** Fire-and-forget variant for activities; failures go to `log` (which must not break the chain). */
export function applyBudgetEffectsInBackground(db: Db, scheduler: AgentScheduler | undefined, effects: BudgetEffects, log: (msg: string) => void): void {
  const say = (msg: string) => {
    try {
      log(msg);
    } catch {
      /* a logger outside its activity context: nothing better to do */
    }
  };
  if (!hasBudgetEffects(effects)) return;
  if (!scheduler) {
    say("budget enforcement skipped: no scheduler in this process (the database pause still gates new work)");
    return;
  }
  void applyBudgetEffects(db, scheduler, effects)
    .then((failures) => failures.forEach((f) => say(`budget enforcement: ${f}`)))
    .catch((err: unknown) => say(`budget enforcement failed: ${err instanceof Error ? err.message : String(err)}`));
}

async function stopTasks(db: Db, scheduler: AgentScheduler, scope: ScopeRef): Promise<Array<Promise<unknown>>> {
  if (scope.scopeType === "agent") return [scheduler.setPaused(scope.scopeId, true)];
  if (scope.scopeType === "company") {
    const agents = await db
      .selectFrom("agents")
      .select("id")
      .where("companyId", "=", scope.companyId)
      .where("status", "not in", ["terminated", "pending_approval"])
      .execute();
    return agents.map((a) => scheduler.setPaused(a.id, true));
  }
  // A project has no workflow of its own: cancel the runs working on its issues.
  const runs = await db
    .selectFrom("heartbeat_runs")
    .select(["id", "agentId"])
    .where("companyId", "=", scope.companyId)
    .where("status", "in", ["queued", "running"])
    .where(sql<boolean>`context_snapshot->>'issueId' in (select id::text from issues where project_id = ${scope.scopeId})`)
    .execute();
  return runs.map((r) => scheduler.cancelRun(r.agentId, r.id));
}

async function resumeTasks(db: Db, scheduler: AgentScheduler, scope: ScopeRef): Promise<Array<Promise<unknown>>> {
  if (scope.scopeType === "project") return []; // nothing in the engine was paused
  const company = await db.selectFrom("companies").select("status").where("id", "=", scope.companyId).executeTakeFirst();
  // A company still paused keeps every workflow paused; its own resume brings them all back.
  if (!company || company.status === "paused") return [];
  let q = db.selectFrom("agents").select("id").where("companyId", "=", scope.companyId).where("status", "not in", ["paused", "terminated", "pending_approval"]);
  if (scope.scopeType === "agent") q = q.where("id", "=", scope.scopeId);
  const agents = await q.execute();
  // resumeAgent on a non-paused row only resumes the workflow and re-pushes its schedule.
  return agents.map((a) => resumeAgent(db, scheduler, a.id));
}
