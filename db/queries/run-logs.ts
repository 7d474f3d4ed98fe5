/**
 * The `postgres` run-log store: NDJSON lines `{ts, stream, chunk}` (Paperclip's local_file format)
 * kept as rows with byte offsets, so any worker can append and the API can serve byte ranges.
 */
import { sql } from "kysely";
import type { Db } from "../connection.js";

export const LOG_STORE = "postgres";
export const DEFAULT_LOG_READ_BYTES = 256_000;

export type LogStream = "stdout" | "stderr" | "system";

export interface LogLine {
  stream: LogStream;
  chunk: string;
  ts: string;
}

export function encodeLogLine(line: LogLine): string {
  return `${JSON.stringify({ ts: line.ts, stream: line.stream, chunk: line.chunk })}\n`;
}

/** Where the next chunk goes: after everything any earlier attempt wrote. */
export async function logTail(db: Db, runId: string): Promise<{ nextSeq: number; nextOffset: number }> {
  const row = await db
    .selectFrom("heartbeat_run_log_chunks")
    .select([sql<number>`coalesce(max(seq), -1)`.as("maxSeq"), sql<number>`coalesce(max(byte_offset + byte_length), 0)`.as("end")])
    .where("runId", "=", runId)
    .executeTakeFirst();
  return { nextSeq: Number(row?.maxSeq ?? -1) + 1, nextOffset: Number(row?.end ?? 0) };
}

export async function appendLogChunk(
  db: Db,
  chunk: { runId: string; seq: number; attempt: number; stream: LogStream; byteOffset: number; content: string },
): Promise<number> {
  const byteLength = Buffer.byteLength(chunk.content, "utf8");
  await db
    .insertInto("heartbeat_run_log_chunks")
    .values({ ...chunk, byteLength })
    .onConflict((oc) => oc.columns(["runId", "seq"]).doNothing())
    .execute();
  return byteLength;
}

/** Byte-ranged read of the run's NDJSON log: `{content, nextOffset}` like Paperclip's endpoint. */
export async function readLog(db: Db, runId: string, offset: number, limitBytes: number): Promise<{ content: string; nextOffset: number }> {
  const rows = await db
    .selectFrom("heartbeat_run_log_chunks")
    .select(["byteOffset", "byteLength", "content"])
    .where("runId", "=", runId)
    .where(sql<boolean>`byte_offset + byte_length > ${offset}`)
    .orderBy("seq")
    .limit(2000)
    .execute();
  const buffers: Buffer[] = [];
  let cursor = offset;
  let remaining = limitBytes;
  for (const row of rows) {
    if (remaining <= 0) break;
    const bytes = Buffer.from(row.content, "utf8");
    const start = Math.max(0, cursor - Number(row.byteOffset));
    const slice = bytes.subarray(start, start + remaining);
    buffers.push(slice);
    cursor = Number(row.byteOffset) + start + slice.length;
    remaining -= slice.length;
  }
  return { content: Buffer.concat(buffers).toString("utf8"), nextOffset: cursor };
}
