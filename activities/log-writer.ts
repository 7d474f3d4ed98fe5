/**
 * Buffers a run's output and appends it to the run-log store in batches (a row per ~flush, not per
 * write). Agent output is untrusted: past MAX_LOG_BYTES the rest is dropped with one system note.
 * The run's resolved secret values never reach the store: each stream passes through a scrubber that
 * also catches a value split across two chunks (core/secrets/scrubber.ts).
 */
import { SecretScrubber, type StreamScrubber } from "../core/secrets/scrubber.js";
import type { Db } from "../db/connection.js";
import { appendLogChunk, encodeLogLine, logTail, type LogStream } from "../db/queries/run-logs.js";
import { withDbRetry } from "./retry-db.js";

export const MAX_LOG_BYTES = 16 * 1024 * 1024;
const FLUSH_BYTES = 64 * 1024;
const FLUSH_INTERVAL_MS = 200;

export class RunLogWriter {
  private pending: string[] = [];
  private pendingBytes = 0;
  private pendingStream: LogStream = "stdout";
  private seq = 0;
  private offset = 0;
  private written = 0;
  private truncated = false;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly streams: Partial<Record<LogStream, StreamScrubber>> = {};
  /** Chunks that could not be stored (Postgres unreachable for longer than the retry window). */
  droppedChunks = 0;
  lastError: unknown;

  private constructor(
    private readonly db: Db,
    private readonly runId: string,
    private readonly attempt: number,
    private readonly scrubber: SecretScrubber,
  ) {}

  static async open(db: Db, runId: string, attempt: number, scrubber: SecretScrubber = SecretScrubber.none): Promise<RunLogWriter> {
    const writer = new RunLogWriter(db, runId, attempt, scrubber);
    const tail = await withDbRetry(() => logTail(db, runId));
    writer.seq = tail.nextSeq;
    writer.offset = tail.nextOffset;
    return writer;
  }

  /** Total bytes in the store for this run (all attempts). */
  get totalBytes(): number {
    return this.offset + this.pendingBytes;
  }

  write(stream: LogStream, raw: string): Promise<void> {
    if (this.truncated) return Promise.resolve();
    const chunk = this.scrub(stream, raw);
    if (chunk === "") return Promise.resolve();
    if (this.written + chunk.length > MAX_LOG_BYTES) {
      this.truncated = true;
      this.add("system", `[switchboard] log truncated after ${MAX_LOG_BYTES} bytes; further output is not stored\n`);
      return this.flush();
    }
    this.written += chunk.length;
    this.add(stream, chunk);
    if (this.pendingBytes >= FLUSH_BYTES) return this.flush();
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS);
    return Promise.resolve();
  }

  /** Agent streams keep a held tail between chunks; system notes are ours and complete. */
  private scrub(stream: LogStream, chunk: string): string {
    if (!this.scrubber.active) return chunk;
    if (stream === "system") return this.scrubber.scrub(chunk);
    return (this.streams[stream] ??= this.scrubber.stream()).push(chunk);
  }

  private add(stream: LogStream, chunk: string) {
    const line = encodeLogLine({ ts: new Date().toISOString(), stream, chunk });
    // A batch row carries one dominant stream for filtering; each line still names its own.
    if (this.pending.length === 0) this.pendingStream = stream;
    this.pending.push(line);
    this.pendingBytes += Buffer.byteLength(line, "utf8");
  }

  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return this.flushing;
    const content = this.pending.join("");
    const stream = this.pendingStream;
    this.pending = [];
    this.pendingBytes = 0;
    const seq = this.seq++;
    const byteOffset = this.offset;
    this.offset += Buffer.byteLength(content, "utf8");
    // The chain never stays rejected: a chunk that cannot be stored even after retries is dropped
    // (a gap in the log), which must not fail the run or the chunks after it.
    this.flushing = this.flushing.then(() =>
      withDbRetry(() => appendLogChunk(this.db, { runId: this.runId, seq, attempt: this.attempt, stream, byteOffset, content }), 30_000).then(
        () => undefined,
        (err: unknown) => {
          this.droppedChunks++;
          this.lastError = err;
        },
      ),
    );
    return this.flushing;
  }

  async close(): Promise<void> {
    // The streams ended: a held tail is a fragment the process really ended on, not a whole value.
    for (const [stream, scrubber] of Object.entries(this.streams) as Array<[LogStream, StreamScrubber]>) {
      const rest = scrubber.end();
      if (rest && !this.truncated) this.add(stream, rest);
    }
    await this.flush();
  }
}
