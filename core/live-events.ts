/**
 * Live events: `{id, companyId, type, createdAt, payload}` envelopes (Paperclip's shape) carried by
 * Postgres NOTIFY, so an event published by a worker process (run status) or inside a transaction
 * (activity) reaches every API process's WebSocket subscribers — and only after its commit.
 */
import type { Kysely, Transaction } from "kysely";
import { sql } from "kysely";
import type { Database } from "../db/schema.js";

export const LIVE_EVENTS_CHANNEL = "switchboard_live_events";
/** NOTIFY payloads are capped at 8000 bytes; larger payloads are cut to their identifying fields. */
const MAX_NOTIFY_BYTES = 7_500;

export type LiveEventType = "activity.logged" | "heartbeat.run.queued" | "heartbeat.run.status" | "heartbeat.run.log" | "agent.status";

export interface LiveEventMessage {
  companyId: string;
  type: LiveEventType;
  createdAt: string;
  payload: Record<string, unknown>;
}

export async function publishLiveEvent(
  db: Kysely<Database> | Transaction<Database>,
  companyId: string,
  type: LiveEventType,
  payload: Record<string, unknown>,
): Promise<void> {
  const message: LiveEventMessage = { companyId, type, createdAt: new Date().toISOString(), payload };
  let text = JSON.stringify(message);
  if (Buffer.byteLength(text) > MAX_NOTIFY_BYTES) {
    const { details: _dropped, chunk: _chunk, ...rest } = payload;
    text = JSON.stringify({ ...message, payload: { ...rest, truncated: true } });
  }
  await sql`select pg_notify(${LIVE_EVENTS_CHANNEL}, ${text})`.execute(db);
}
