/**
 * One JSON request to a pinned address (see target-guard.ts), with a timeout, an abort signal and a
 * cap on how much of the answer is read: the endpoint is untrusted.
 */
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import type { PinnedTarget } from "./target-guard.js";

export const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  truncated: boolean;
}

export class RequestTimeoutError extends Error {
  override name = "RequestTimeoutError";
}

export function sendJson(opts: {
  url: URL;
  method: string;
  headers: Record<string, string>;
  /** Omitted for a bodiless request (the environment test's HEAD probe). */
  body?: unknown;
  target: PinnedTarget;
  timeoutMs: number;
  signal?: AbortSignal;
}): Promise<HttpAnswer> {
  const payload = opts.body === undefined ? null : Buffer.from(JSON.stringify(opts.body));
  // Every connection goes to the address the guard checked, whatever DNS says now.
  const pinned: LookupFunction = (_host, options, callback) => {
    if (typeof options === "object" && options.all) {
      (callback as unknown as (err: null, addresses: Array<{ address: string; family: number }>) => void)(null, [{ address: opts.target.address, family: opts.target.family }]);
    } else {
      callback(null, opts.target.address, opts.target.family);
    }
  };
  const client = opts.url.protocol === "https:" ? https : http;
  return new Promise<HttpAnswer>((resolvePromise, rejectPromise) => {
    // A whole-exchange deadline (a socket idle timeout would let a slow drip run forever).
    let timer: NodeJS.Timeout | undefined;
    const resolve = (a: HttpAnswer) => {
      clearTimeout(timer);
      resolvePromise(a);
    };
    const reject = (e: unknown) => {
      clearTimeout(timer);
      rejectPromise(e);
    };
    const req = client.request(
      opts.url,
      {
        method: opts.method,
        lookup: pinned,
        headers: payload ? { ...opts.headers, "content-type": "application/json", "content-length": String(payload.length) } : opts.headers,
        ...(opts.signal ? { signal: opts.signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        res.on("data", (chunk: Buffer) => {
          if (size >= MAX_RESPONSE_BYTES) {
            truncated = true;
            return;
          }
          const room = MAX_RESPONSE_BYTES - size;
          chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
          size += Math.min(chunk.length, room);
          if (chunk.length > room) truncated = true;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8"), truncated }));
        res.on("error", reject);
      },
    );
    if (opts.timeoutMs > 0) {
      timer = setTimeout(() => req.destroy(new RequestTimeoutError(`no answer within ${opts.timeoutMs} ms`)), opts.timeoutMs);
    }
    req.on("error", reject);
    if (payload) req.end(payload);
    else req.end();
  });
}
