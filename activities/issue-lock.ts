/**
 * The issue execution lock (`issues.execution_run_id`): at most one active run per issue. A run for an
 * issue-scoped wake takes the lock when it is claimed; it is free when unheld or held by a run that is
 * no longer active (a crash, or a status change that cleared it). When the holder finishes, the lock
 * is released and the runs waiting for it are signalled to claim again.
 */
import { sql, type Transaction } from "kysely";
import type { Db } from "../db/connection.js";
import type { Database } from "../db/schema.js";

export type LockAttempt = { acquired: true } | { acquired: false; holderRunId: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function issueIdOf(context: unknown): string | null {
  const id = (context as Record<string, unknown> | null)?.issueId;
  return typeof id === "string" && UUID.test(id) ? id : null;
}

export async function tryAcquireIssueLock(
  trx: Transaction<Database>,
  input: { runId: string; issueId: string; companyId: string; agentName: string },
): Promise<LockAttempt> {
  const taken = await trx
    .updateTable("issues")
    .set({ executionRunId: input.runId, executionAgentNameKey: input.agentName.toLowerCase(), executionLockedAt: sql`now()` })
    .where("id", "=", input.issueId)
    .where("companyId", "=", input.companyId)
    .where((eb) =>
      eb.or([
        eb("executionRunId", "is", null),
        eb("executionRunId", "=", input.runId),
        eb.not(eb.exists(eb.selectFrom("heartbeat_runs as holder").select("holder.id").whereRef("holder.id", "=", "issues.executionRunId").where("holder.status", "in", ["queued", "running"]))),
      ]),
    )
    .returning("id")
    .executeTakeFirst();
  if (taken) return { acquired: true };
  const issue = await trx.selectFrom("issues").select("executionRunId").where("id", "=", input.issueId).executeTakeFirst();
  // A deleted issue (or one the lock slipped from in between) does not hold anyone back.
  if (!issue?.executionRunId) return { acquired: true };
  return { acquired: false, holderRunId: issue.executionRunId };
}

/** Frees every lock the run holds; returns the issues it held. */
export async function releaseIssueLocks(trx: Transaction<Database>, runId: string): Promise<string[]> {
  const rows = await trx
    .updateTable("issues")
    .set({ executionRunId: null, executionAgentNameKey: null, executionLockedAt: null })
    .where("executionRunId", "=", runId)
    .returning("id")
    .execute();
  return rows.map((r) => r.id);
}

/** Queued runs of these issues: the ones that may be waiting for the lock. */
export async function runsWaitingFor(db: Db, issueIds: string[]): Promise<string[]> {
  if (issueIds.length === 0) return [];
  const rows = await db
    .selectFrom("heartbeat_runs")
    .select("id")
    .where("status", "=", "queued")
    .where(sql<string>`context_snapshot->>'issueId'`, "in", issueIds)
    .execute();
  return rows.map((r) => r.id);
}
