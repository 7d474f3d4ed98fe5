/** claimRun and finalizeRun: the run row's transitions queued → running → one terminal status. */
import { sql, type Transaction } from "kysely";
import type { Database } from "../db/schema.js";
import type { Db } from "../db/connection.js";
import { publishLiveEvent } from "../core/live-events.js";
import type { AgentScheduler } from "../temporal/agent-scheduler.js";
import { ApplicationFailure, log } from "@temporalio/activity";
import { getAdapter } from "../adapters/registry.js";
import type { CostReport, RunClaim, RunOutcome, RunStatus, TerminalRunStatus } from "../workflows/definitions.js";
import type { ActivityDeps } from "./deps.js";
import { issueIdOf, releaseIssueLocks, runsWaitingFor, tryAcquireIssueLock } from "./issue-lock.js";
import { applyBudgetEffectsInBackground, type BudgetEffects } from "../core/budgets/enforcement.js";
import { cancelRunIfBudgetBlocked } from "../core/budgets/gate.js";
import { afterCostRecorded } from "../core/costs/after-cost.js";

/** Slack on top of the adapter's own timeout + grace before Temporal gives up on an attempt. */
const START_TO_CLOSE_MARGIN_SEC = 60;

const WAKEUP_STATUS_FOR: Record<TerminalRunStatus, "completed" | "failed" | "cancelled"> = {
  succeeded: "completed",
  failed: "failed",
  timed_out: "failed",
  cancelled: "cancelled",
};

export function createRunActivities({ db, config, scheduler }: ActivityDeps) {
  return {
    async claimRun({ runId }: { runId: string }): Promise<RunClaim> {
      // Budget gate, again at claim (as at wake): a blocked run ends cancelled/budget_blocked and the
      // claim below finds it no longer queued, so it does not proceed.
      await cancelRunIfBudgetBlocked(db, runId);
      let waitForIssueLock: RunClaim["waitForIssueLock"] = null;
      const claimed = await db.transaction().execute(async (trx) => {
        const lock = await acquireIssueLockForClaim(trx, runId);
        if (!lock.acquired) {
          waitForIssueLock = lock.wait;
          return undefined;
        }
        const run = await trx
          .updateTable("heartbeat_runs")
          .set({ status: "running", startedAt: sql`now()`, updatedAt: sql`now()` })
          .where("id", "=", runId)
          .where("status", "=", "queued")
          .returning(["agentId", "companyId"])
          .executeTakeFirst();
        if (!run) return undefined;
        await trx
          .updateTable("agent_wakeup_requests")
          .set({ status: "claimed", claimedAt: sql`now()`, updatedAt: sql`now()` })
          .where("runId", "=", runId)
          .where("status", "=", "queued")
          .execute();
        await trx
          .updateTable("agents")
          .set({ status: "running", updatedAt: sql`now()` })
          .where("id", "=", run.agentId)
          .where("status", "in", ["idle", "running", "error", "active"])
          .execute();
        await publishLiveEvent(trx, run.companyId, "heartbeat.run.status", { runId, agentId: run.agentId, status: "running" });
        return run;
      });
      const current = await db
        .selectFrom("heartbeat_runs")
        .innerJoin("agents", "agents.id", "heartbeat_runs.agentId")
        .select(["heartbeat_runs.status", "agents.adapterType", "agents.adapterConfig"])
        .where("heartbeat_runs.id", "=", runId)
        .executeTakeFirst();
      if (!current) throw ApplicationFailure.nonRetryable(`run ${runId} not found`, "RunNotFound");
      // A retried claim whose first attempt committed finds the run already running: go on.
      const proceed = Boolean(claimed) || (current.status === "running" && !waitForIssueLock);
      const adapter = getAdapter(current.adapterType);
      const maxRun = adapter ? adapter.maxRunSeconds((current.adapterConfig ?? {}) as Record<string, unknown>) : 3600;
      return {
        proceed,
        status: current.status as RunStatus,
        waitForIssueLock: current.status === "queued" ? waitForIssueLock : null,
        startToCloseSec: maxRun + START_TO_CLOSE_MARGIN_SEC,
        heartbeatTimeoutSec: config.runHeartbeatTimeoutSec,
        maxAttempts: config.runMaxAttempts,
      };
    },

    async finalizeRun({ runId, outcome }: { runId: string; outcome: RunOutcome }): Promise<void> {
      let budgetEffects: BudgetEffects | null = null;
      const released = await db.transaction().execute(async (trx): Promise<string[]> => {
        // One finalisation per agent at a time: two runs ending together would each count the
        // other as still running, and the agent would stay "running" forever.
        const owner = await trx.selectFrom("heartbeat_runs").select(["agentId"]).where("id", "=", runId).executeTakeFirst();
        const agent = owner
          ? await trx.selectFrom("agents").select(["adapterType"]).where("id", "=", owner.agentId).forUpdate().executeTakeFirst()
          : undefined;
        const run = await trx
          .updateTable("heartbeat_runs")
          .set({
            status: outcome.status,
            finishedAt: sql`now()`,
            exitCode: outcome.exitCode,
            signal: outcome.signal,
            error: outcome.error,
            errorCode: outcome.errorCode,
            usageJson: outcome.usage as never,
            resultJson: outcome.resultJson as never,
            sessionIdAfter: outcome.sessionIdAfter,
            stdoutExcerpt: outcome.stdoutExcerpt,
            stderrExcerpt: outcome.stderrExcerpt,
            updatedAt: sql`now()`,
          })
          .where("id", "=", runId)
          .where("status", "in", ["queued", "running"])
          .returning(["agentId", "companyId", "contextSnapshot"])
          .executeTakeFirst();
        if (!run || !agent) return []; // already terminal: exactly one outcome is ever recorded
        await trx
          .updateTable("agent_wakeup_requests")
          .set({ status: WAKEUP_STATUS_FOR[outcome.status], finishedAt: sql`now()`, error: outcome.error, updatedAt: sql`now()` })
          .where("runId", "=", runId)
          .where("status", "in", ["queued", "claimed"])
          .execute();
        const stillRunning = await trx
          .selectFrom("heartbeat_runs")
          .select(sql<number>`count(*)::int`.as("n"))
          .where("agentId", "=", run.agentId)
          .where("status", "=", "running")
          .executeTakeFirstOrThrow();
        const nextStatus = stillRunning.n > 0 ? "running" : outcome.status === "succeeded" || outcome.status === "cancelled" ? "idle" : "error";
        await trx
          .updateTable("agents")
          .set({ status: nextStatus, lastHeartbeatAt: sql`now()`, updatedAt: sql`now()` })
          .where("id", "=", run.agentId)
          .where("status", "in", ["idle", "running", "error", "active"])
          .execute();
        const cost = outcome.cost ?? null;
        const costCents = cost ? costCentsOf(cost) : 0;
        await trx
          .insertInto("agent_runtime_state")
          .values({
            agentId: run.agentId,
            companyId: run.companyId,
            adapterType: agent.adapterType,
            lastRunId: runId,
            lastRunStatus: outcome.status,
            lastError: outcome.error,
            totalInputTokens: cost?.inputTokens ?? 0,
            totalOutputTokens: cost?.outputTokens ?? 0,
            totalCachedInputTokens: cost?.cachedInputTokens ?? 0,
            totalCostCents: costCents,
            ...(outcome.session?.action === "set" ? { sessionId: outcome.session.displayId } : {}),
          })
          .onConflict((oc) =>
            oc.column("agentId").doUpdateSet({
              adapterType: agent.adapterType,
              lastRunId: runId,
              lastRunStatus: outcome.status,
              lastError: outcome.error,
              totalInputTokens: sql`agent_runtime_state.total_input_tokens + ${cost?.inputTokens ?? 0}`,
              totalOutputTokens: sql`agent_runtime_state.total_output_tokens + ${cost?.outputTokens ?? 0}`,
              totalCachedInputTokens: sql`agent_runtime_state.total_cached_input_tokens + ${cost?.cachedInputTokens ?? 0}`,
              totalCostCents: sql`agent_runtime_state.total_cost_cents + ${costCents}`,
              ...(outcome.session?.action === "set" ? { sessionId: outcome.session.displayId } : {}),
              updatedAt: sql`now()`,
            }),
          )
          .execute();
        if (cost) {
          // Exactly once: this whole block runs only in the transaction that moved the run to terminal.
          await trx
            .insertInto("cost_events")
            .values({
              companyId: run.companyId,
              agentId: run.agentId,
              heartbeatRunId: runId,
              issueId: sql`(select id from issues where id::text = ${String((run.contextSnapshot as Record<string, unknown> | null)?.issueId ?? "")} and company_id = ${run.companyId})`,
              provider: cost.provider ?? "unknown",
              biller: cost.biller ?? cost.provider ?? "unknown",
              billingType: normalizeBillingType(cost.billingType),
              model: cost.model ?? "unknown",
              inputTokens: cost.inputTokens,
              cachedInputTokens: cost.cachedInputTokens,
              outputTokens: cost.outputTokens,
              costCents,
              occurredAt: sql`now()`,
            })
            .execute();
          budgetEffects = await afterCostRecorded(trx, { companyId: run.companyId, agentId: run.agentId, heartbeatRunId: runId });
        }
        if (outcome.session && outcome.session.action !== "keep" && outcome.taskKey) {
          const params = outcome.session.action === "set" ? outcome.session.params : null;
          const displayId = outcome.session.action === "set" ? outcome.session.displayId : null;
          await trx
            .insertInto("agent_task_sessions")
            .values({
              companyId: run.companyId,
              agentId: run.agentId,
              adapterType: agent.adapterType,
              taskKey: outcome.taskKey,
              sessionParamsJson: params as never,
              sessionDisplayId: displayId,
              lastRunId: runId,
              lastError: outcome.error,
            })
            .onConflict((oc) =>
              oc.columns(["companyId", "agentId", "adapterType", "taskKey"]).doUpdateSet({
                sessionParamsJson: params as never,
                sessionDisplayId: displayId,
                lastRunId: runId,
                lastError: outcome.error,
                updatedAt: sql`now()`,
              }),
            )
            .execute();
        }
        await publishLiveEvent(trx, run.companyId, "heartbeat.run.status", {
          runId,
          agentId: run.agentId,
          issueId: issueIdOf(run.contextSnapshot),
          status: outcome.status,
          error: outcome.error,
          errorCode: outcome.errorCode,
        });
        await publishLiveEvent(trx, run.companyId, "agent.status", { agentId: run.agentId, status: nextStatus, outcome: outcome.status });
        return releaseIssueLocks(trx, runId);
      });
      await wakeRunsWaitingFor(db, scheduler, released);
      // Never awaited here: the agent workflow this run belongs to waits for this very activity, so an
      // update sent to it (pause = cancel runs) would wait for us in turn. The DB pause already gates.
      if (budgetEffects) applyBudgetEffectsInBackground(db, scheduler, budgetEffects, (m) => log.warn(m));
    },
  };
}

/**
 * Tells the runs queued behind released issue locks to claim again. Not awaited by anyone's
 * correctness: a lost signal only delays a waiter until its own re-check timer.
 */
async function wakeRunsWaitingFor(db: Db, scheduler: AgentScheduler | undefined, issueIds: string[]): Promise<void> {
  if (!scheduler || issueIds.length === 0) return;
  const waiting = await runsWaitingFor(db, issueIds).catch(() => []);
  await Promise.all(waiting.map((id) => scheduler.signalIssueLockReleased(id).catch(() => undefined)));
}

/** Paperclip's normalisation: `api` → metered, `subscription` → included (billed at 0). */
export function normalizeBillingType(type: string | null): string {
  if (type === "api") return "metered_api";
  if (type === "subscription") return "subscription_included";
  return type ?? "unknown";
}

export function costCentsOf(cost: CostReport): number {
  if (normalizeBillingType(cost.billingType) === "subscription_included") return 0;
  return cost.costUsd ? Math.round(cost.costUsd * 100) : 0;
}

/** Claim step 1: a queued run for an issue must hold the issue's execution lock before it starts. */
async function acquireIssueLockForClaim(
  trx: Transaction<Database>,
  runId: string,
): Promise<{ acquired: true } | { acquired: false; wait: { issueId: string; holderRunId: string } }> {
  const run = await trx
    .selectFrom("heartbeat_runs")
    .innerJoin("agents", "agents.id", "heartbeat_runs.agentId")
    .select(["heartbeat_runs.status", "heartbeat_runs.companyId", "heartbeat_runs.contextSnapshot", "agents.name"])
    .where("heartbeat_runs.id", "=", runId)
    .forUpdate()
    .executeTakeFirst();
  const issueId = run?.status === "queued" ? issueIdOf(run.contextSnapshot) : null;
  if (!run || !issueId) return { acquired: true };
  const attempt = await tryAcquireIssueLock(trx, { runId, issueId, companyId: run.companyId, agentName: run.name });
  return attempt.acquired ? attempt : { acquired: false, wait: { issueId, holderRunId: attempt.holderRunId } };
}
