/**
 * A raw HTTP client for the fuzz test. `fetch` normalises what it sends (it adds a text/plain content
 * type to string bodies, refuses GET bodies and re-encodes paths); hostile requests need the bytes
 * exactly as written, so this goes through node:http.
 */
import http from "node:http";

export interface RawRequest {
  method: string;
  /** Path and query, already encoded as they should go on the wire. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface RawResponse {
  status: number;
  contentType: string;
  text: string;
  json: unknown;
  /** True when the response was a stream (e.g. server-sent events) and was cut short on purpose. */
  streamed?: boolean;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
const MAX_READ_BYTES = 256 * 1024;

export function sendRaw(baseUrl: string, req: RawRequest, timeoutMs = 15_000): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...(req.headers ?? {}) };
    if (req.body !== undefined) headers["content-length"] = Buffer.byteLength(req.body);
    const r = http.request(
      { host: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent, timeout: timeoutMs },
      (res) => {
        const contentType = String(res.headers["content-type"] ?? "");
        if (contentType.includes("text/event-stream")) {
          res.destroy();
          resolve({ status: res.statusCode ?? 0, contentType, text: "", json: undefined, streamed: true });
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size <= MAX_READ_BYTES) chunks.push(c);
        });
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, contentType, text, json });
        });
        res.on("error", reject);
      },
    );
    r.on("timeout", () => r.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    r.on("error", reject);
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}

/** What is wrong with a response, if anything: a 5xx, or a 4xx without `{error: string}` as JSON. */
export function responseProblem(res: RawResponse): string | null {
  if (res.status >= 500) return `${res.status} ${res.text.slice(0, 300)}`;
  if (res.status < 400) return null;
  if (!res.contentType.includes("application/json")) return `${res.status} with content-type "${res.contentType}": ${res.text.slice(0, 200)}`;
  const body = res.json as Record<string, unknown> | undefined;
  if (!body || typeof body !== "object" || Array.isArray(body)) return `${res.status} body is not an object: ${res.text.slice(0, 200)}`;
  if (typeof body.error !== "string" || body.error.length === 0) return `${res.status} without an error string: ${res.text.slice(0, 200)}`;
  if (body.code !== undefined && typeof body.code !== "string") return `${res.status} code is not a string: ${res.text.slice(0, 200)}`;
  return null;
}

/** A 4xx whose envelope carries more than Paperclip's `{error, code?, details?}` (framework internals). */
export function envelopeExtras(res: RawResponse): string | null {
  if (res.status < 400 || res.status >= 500 || !res.json || typeof res.json !== "object") return null;
  const extra = Object.keys(res.json).filter((k) => !["error", "code", "details"].includes(k));
  return extra.length > 0 ? `${res.status} envelope has extra keys ${extra.join(", ")}: ${res.text.slice(0, 160)}` : null;
}

export function closeFuzzAgent(): void {
  agent.destroy();
}
