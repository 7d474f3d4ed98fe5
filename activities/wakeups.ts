/** recordWakeup: the durable half of admitting a wake (the decision itself is made in the workflow). */
import { sql } from "kysely";
import type { WakeResult } from "../workflows/definitions.js";
import { publishLiveEvent } from "../core/live-events.js";
import type { ActivityDeps } from "./deps.js";
import type { RecordSkippedWakeupInput, RecordWakeupInput } from "./types.js";

export function createWakeupActivities({ db }: ActivityDeps) {
  return {
    async recordSkippedWakeup({ agentId, companyId, request, reason }: RecordSkippedWakeupInput): Promise<void> {
      await db
        .insertInto("agent_wakeup_requests")
        .values({
          id: request.wakeupRequestId,
          companyId,
          agentId,
          source: request.source,
          triggerDetail: request.triggerDetail,
          // The row's reason says why it was skipped; the caller's reason stays in the payload.
          reason,
          payload: { ...(request.payload ?? {}), requestedReason: request.reason } as never,
          status: "skipped",
          requestedByActorType: request.requestedByActorType,
          requestedByActorId: request.requestedByActorId,
          finishedAt: sql`now()`,
        })
        .onConflict((oc) => oc.column("id").doNothing())
        .execute();
    },

    async recordWakeup({ agentId, companyId, request, decision }: RecordWakeupInput): Promise<WakeResult> {
      const base = {
        id: request.wakeupRequestId,
        companyId,
        agentId,
        source: request.source,
        triggerDetail: request.triggerDetail,
        reason: request.reason,
        payload: request.payload as never,
        requestedByActorType: request.requestedByActorType,
        requestedByActorId: request.requestedByActorId,
        idempotencyKey: request.idempotencyKey,
      };
      const result = await db.transaction().execute(async (trx): Promise<WakeResult> => {
        // A retried activity finds its own earlier write and reports the same result.
        const existing = await trx.selectFrom("agent_wakeup_requests").select(["runId", "status"]).where("id", "=", request.wakeupRequestId).executeTakeFirst();
        if (existing?.runId) {
          return { runId: existing.runId, wakeupRequestId: request.wakeupRequestId, disposition: existing.status === "coalesced" ? "coalesced" : "queued" };
        }
        if (request.idempotencyKey) {
          // The workflow remembers recent keys; the table remembers all of them.
          const prior = await trx
            .selectFrom("agent_wakeup_requests")
            .select(["runId"])
            .where("agentId", "=", agentId)
            .where("idempotencyKey", "=", request.idempotencyKey)
            .executeTakeFirst();
          if (prior?.runId) return { runId: prior.runId, wakeupRequestId: request.wakeupRequestId, disposition: "duplicate" };
        }
        if (decision.kind === "coalesced") {
          await trx.insertInto("agent_wakeup_requests").values({ ...base, status: "coalesced", runId: decision.runId }).execute();
          await trx
            .updateTable("agent_wakeup_requests")
            .set({ coalescedCount: sql`coalesced_count + 1`, updatedAt: sql`now()` })
            .where("runId", "=", decision.runId)
            .where("status", "=", "queued")
            .execute();
          // Keep the first wake's reason; remember every merged one.
          await trx
            .updateTable("heartbeat_runs")
            .set({
              contextSnapshot: sql`coalesce(context_snapshot, '{}'::jsonb) || jsonb_build_object('coalescedWakeReasons',
                coalesce(context_snapshot->'coalescedWakeReasons', '[]'::jsonb) || to_jsonb(${request.reason ?? request.source}::text))`,
              updatedAt: sql`now()`,
            })
            .where("id", "=", decision.runId)
            .execute();
          return { runId: decision.runId, wakeupRequestId: request.wakeupRequestId, disposition: "coalesced" };
        }
        await trx.insertInto("agent_wakeup_requests").values({ ...base, status: "queued" }).execute();
        await trx
          .insertInto("heartbeat_runs")
          .values({
            id: decision.runId,
            companyId,
            agentId,
            invocationSource: request.source,
            triggerDetail: request.triggerDetail,
            status: "queued",
            wakeupRequestId: request.wakeupRequestId,
            contextSnapshot: request.contextSnapshot as never,
            logStore: "postgres",
            logRef: decision.runId,
            logBytes: 0,
          })
          .execute();
        await trx.updateTable("agent_wakeup_requests").set({ runId: decision.runId }).where("id", "=", request.wakeupRequestId).execute();
        await publishLiveEvent(trx, companyId, "heartbeat.run.queued", {
          runId: decision.runId,
          agentId,
          invocationSource: request.source,
          triggerDetail: request.triggerDetail,
          wakeupRequestId: request.wakeupRequestId,
        });
        return { runId: decision.runId, wakeupRequestId: request.wakeupRequestId, disposition: "queued" };
      });
      const run = result.runId ? await db.selectFrom("heartbeat_runs").select(["status"]).where("id", "=", result.runId).executeTakeFirst() : undefined;
      return { ...result, runStatus: run?.status ?? null };
    },
  };
}
