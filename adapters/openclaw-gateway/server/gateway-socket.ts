/**
 * One WebSocket to an OpenClaw gateway, speaking its frame protocol: requests
 * `{type:"req", id, method, params}`, responses `{type:"res", id, ok, payload|error}`, events
 * `{type:"event", event, payload, seq?}`. It knows nothing about agents or runs: it matches responses
 * to requests, hands events to a listener, remembers the `connect.challenge` nonce (which the gateway
 * sends as soon as the socket opens, possibly before anyone asks), and tears everything down on
 * close or abort so no caller waits on a dead socket.
 *
 * Frames are untrusted input: anything that is not a JSON object of a known type is dropped.
 */
import { randomUUID } from "node:crypto";
import WebSocket from "ws";

/** The gateway's documented frame ceiling (25 MiB): larger frames close the socket (1009). */
const MAX_FRAME_BYTES = 25 * 1024 * 1024;

export interface GatewayEvent {
  event: string;
  payload: unknown;
  seq: number | null;
}

interface ResponseFrame {
  id: string;
  ok: boolean;
  payload: unknown;
  error: unknown;
}

/** The gateway answered a request with `ok:false`. */
export class GatewayRequestError extends Error {
  override name = "GatewayRequestError";
  constructor(
    readonly method: string,
    readonly code: string | null,
    message: string,
    readonly details: Record<string, unknown> | null,
  ) {
    super(message);
  }
}

/** The socket closed (or failed) while something was still waiting on it. */
export class GatewayClosedError extends Error {
  override name = "GatewayClosedError";
  constructor(
    readonly closeCode: number,
    readonly reason: string,
  ) {
    super(reason ? `the gateway closed the connection (${closeCode}): ${reason}` : `the gateway closed the connection (${closeCode})`);
  }
}

/** Our side gave up: the run was cancelled or ran out of time. */
export class GatewayAbortedError extends Error {
  override name = "GatewayAbortedError";
}

/** A wait on the gateway took longer than its bound. */
export class GatewayTimeoutError extends Error {
  override name = "GatewayTimeoutError";
}

export const asRecord = (value: unknown): Record<string, unknown> | null =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

export const asText = (value: unknown): string | null => (typeof value === "string" && value.trim() ? value.trim() : null);

/** Rejects with `onTimeout()` when `promise` takes longer than `ms` (0 = no bound). */
export function withDeadline<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  if (!(ms > 0)) return promise;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

function rawText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString("utf8");
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data).toString("utf8");
}

type Pending = {
  method: string;
  /** Returns true when this response ends the request (false: keep listening on the same id). */
  onResponse: (frame: ResponseFrame) => boolean;
  onFailure: (err: Error) => void;
};

export class GatewaySocket {
  private readonly pending = new Map<string, Pending>();
  private eventListener: ((event: GatewayEvent) => void) | null = null;
  private failure: Error | null = null;
  private readonly challenge: Promise<string>;
  private settleChallenge!: { resolve: (nonce: string) => void; reject: (err: Error) => void };
  /** Resolves when the socket has closed, for whatever reason. */
  readonly closed: Promise<void>;

  private constructor(
    private readonly ws: WebSocket,
    signal: AbortSignal | undefined,
  ) {
    this.challenge = new Promise<string>((resolve, reject) => {
      this.settleChallenge = { resolve, reject };
    });
    this.challenge.catch(() => undefined);
    ws.on("message", (data, isBinary) => {
      if (!isBinary) this.handleFrame(rawText(data));
    });
    this.closed = new Promise<void>((resolve) => {
      ws.on("close", (code, reason) => {
        this.fail(new GatewayClosedError(code, reason.toString("utf8").slice(0, 500)));
        resolve();
      });
    });
    if (signal) {
      const onAbort = () => this.abort(signal.reason instanceof Error ? signal.reason.message : "aborted");
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
      void this.closed.then(() => signal.removeEventListener("abort", onAbort));
    }
  }

  /**
   * Opens the socket (upgrade headers carry the gateway token when one is configured). Rejects with the
   * transport's own error (ECONNREFUSED, `Unexpected server response: 401`, …) or a timeout.
   */
  static open(url: string, opts: { headers: Record<string, string>; timeoutMs: number; signal?: AbortSignal | undefined }): Promise<GatewaySocket> {
    const ws = new WebSocket(url, { headers: opts.headers, maxPayload: MAX_FRAME_BYTES, handshakeTimeout: opts.timeoutMs > 0 ? opts.timeoutMs : undefined });
    const socket = new GatewaySocket(ws, opts.signal);
    return new Promise<GatewaySocket>((resolve, reject) => {
      const done = (err: Error | null) => {
        ws.off("open", onOpen);
        ws.off("error", onError);
        if (err) reject(err);
        else resolve(socket);
      };
      const onOpen = () => done(null);
      const onError = (err: Error) => done(socket.failure ?? err);
      ws.on("open", onOpen);
      ws.on("error", onError);
      // Errors after open surface through `close`; this keeps a late one from crashing the process.
      ws.on("error", () => undefined);
      void socket.closed.then(() => done(socket.failure ?? new GatewayClosedError(1006, "closed before the connection opened")));
    });
  }

  /** The `connect.challenge` nonce (already received, or the next one to arrive). */
  challengeNonce(timeoutMs: number): Promise<string> {
    return withDeadline(this.challenge, timeoutMs, () => new GatewayTimeoutError(`no connect.challenge within ${timeoutMs} ms`));
  }

  onEvent(listener: (event: GatewayEvent) => void): void {
    this.eventListener = listener;
  }

  /** One request, one response: resolves with `payload`, rejects with GatewayRequestError on `ok:false`. */
  request(method: string, params: unknown, timeoutMs: number): Promise<unknown> {
    const { first } = this.send(method, params, () => true);
    return withDeadline(first, timeoutMs, () => new GatewayTimeoutError(`the gateway did not answer ${method} within ${timeoutMs} ms`));
  }

  /**
   * A request the gateway answers twice on the same id: first an acknowledgement
   * (`{status:"accepted"}`), later the final result. `isFinal` decides which response ends it.
   */
  requestWithFinal(method: string, params: unknown, isFinal: (payload: unknown) => boolean): { ack: Promise<unknown>; final: Promise<unknown> } {
    const { first, last } = this.send(method, params, (frame) => !frame.ok || isFinal(frame.payload));
    return { ack: first, final: last };
  }

  close(reason = "done"): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      try {
        this.ws.close(1000, reason);
      } catch {
        this.ws.terminate();
      }
    }
    // A peer that never answers the close handshake must not keep the socket (and the run) alive.
    const timer = setTimeout(() => this.ws.terminate(), 2_000);
    timer.unref();
  }

  private abort(why: string): void {
    this.fail(new GatewayAbortedError(why));
    this.ws.terminate();
  }

  private send(method: string, params: unknown, ends: (frame: ResponseFrame) => boolean): { first: Promise<unknown>; last: Promise<unknown> } {
    let firstSettled = false;
    let resolveFirst!: (v: unknown) => void;
    let rejectFirst!: (e: Error) => void;
    let resolveLast!: (v: unknown) => void;
    let rejectLast!: (e: Error) => void;
    const first = new Promise<unknown>((res, rej) => ((resolveFirst = res), (rejectFirst = rej)));
    const last = new Promise<unknown>((res, rej) => ((resolveLast = res), (rejectLast = rej)));
    last.catch(() => undefined);
    const toError = (frame: ResponseFrame) => {
      const error = asRecord(frame.error);
      const message = asText(error?.message) ?? asText(error?.code) ?? `${method} failed`;
      return new GatewayRequestError(method, asText(error?.code), message.slice(0, 2000), asRecord(error?.details));
    };
    if (this.failure) {
      rejectFirst(this.failure);
      rejectLast(this.failure);
      return { first, last };
    }
    const id = randomUUID();
    this.pending.set(id, {
      method,
      onResponse: (frame) => {
        const finished = ends(frame);
        const outcome = frame.ok ? null : toError(frame);
        if (!firstSettled) {
          firstSettled = true;
          if (outcome) rejectFirst(outcome);
          else resolveFirst(frame.payload);
        }
        if (finished) {
          if (outcome) rejectLast(outcome);
          else resolveLast(frame.payload);
        }
        return finished;
      },
      onFailure: (err) => {
        if (!firstSettled) {
          firstSettled = true;
          rejectFirst(err);
        }
        rejectLast(err);
      },
    });
    this.ws.send(JSON.stringify({ type: "req", id, method, params }), (err) => {
      if (err) this.fail(err);
    });
    return { first, last };
  }

  private fail(err: Error): void {
    if (!this.failure) this.failure = err;
    this.settleChallenge.reject(this.failure);
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const entry of waiting) entry.onFailure(this.failure);
  }

  private handleFrame(text: string): void {
    let frame: Record<string, unknown> | null;
    try {
      frame = asRecord(JSON.parse(text));
    } catch {
      return;
    }
    if (!frame) return;
    if (frame.type === "res" && typeof frame.id === "string" && typeof frame.ok === "boolean") {
      const entry = this.pending.get(frame.id);
      if (entry && entry.onResponse({ id: frame.id, ok: frame.ok, payload: frame.payload, error: frame.error })) this.pending.delete(frame.id);
      return;
    }
    if (frame.type === "event" && typeof frame.event === "string") {
      if (frame.event === "connect.challenge") {
        const nonce = asText(asRecord(frame.payload)?.nonce);
        if (nonce) this.settleChallenge.resolve(nonce);
        return;
      }
      this.eventListener?.({ event: frame.event, payload: frame.payload, seq: typeof frame.seq === "number" ? frame.seq : null });
    }
  }
}
