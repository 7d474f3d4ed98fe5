/**
 * The audit trail: every mutation writes one immutable `activity_log` row and publishes it as the
 * live event `activity.logged`. Call it with the mutation's transaction, so the row and the change
 * commit (or vanish) together. Details are redacted: secret-looking keys never reach the log.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../db/schema.js";
import type { ActorRef } from "./auth/actor.js";
import { publishLiveEvent } from "./live-events.js";

export interface ActivityEntry {
  companyId: string;
  actor: ActorRef;
  action: string;
  entityType: string;
  entityId: string;
  /** Defaults to the actor's agent / run. */
  agentId?: string | null;
  runId?: string | null;
  details?: Record<string, unknown> | null;
}

const SECRET_KEY = /(password|passwd|secret|token|api[_-]?key|authorization|cookie|credential|private[_-]?key)/i;
const MAX_STRING = 4_000;

/** Recursively replaces values of secret-looking keys and trims very long strings. */
export function redactDetails(value: unknown, depth = 0): unknown {
  if (depth > 8) return "[depth limit]";
  if (typeof value === "string") return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…[truncated]` : value;
  if (Array.isArray(value)) return value.slice(0, 200).map((v) => redactDetails(v, depth + 1));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = SECRET_KEY.test(k) && !/(Id|Ids|_id|Count|Name)$/.test(k) ? "***REDACTED***" : redactDetails(v, depth + 1);
    }
    return out;
  }
  return value;
}

export async function logActivity(db: Kysely<Database> | Transaction<Database>, entry: ActivityEntry) {
  const details = entry.details ? (redactDetails(entry.details) as Record<string, unknown>) : null;
  const row = await db
    .insertInto("activity_log")
    .values({
      companyId: entry.companyId,
      actorType: entry.actor.actorType,
      actorId: entry.actor.actorId,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId,
      agentId: entry.agentId !== undefined ? entry.agentId : entry.actor.agentId,
      runId: entry.runId !== undefined ? entry.runId : entry.actor.runId,
      details: details as never,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await publishLiveEvent(db, entry.companyId, "activity.logged", {
    id: row.id,
    actorType: row.actorType,
    actorId: row.actorId,
    action: row.action,
    entityType: row.entityType,
    entityId: row.entityId,
    agentId: row.agentId,
    runId: row.runId,
    details: row.details,
  });
  return row;
}
