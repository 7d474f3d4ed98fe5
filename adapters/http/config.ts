/**
 * `adapterConfig` of `http`: `{url, method?, headers?, payloadTemplate?, timeoutMs? | timeoutSec?,
 * asyncCallback?, callbackTimeoutSec?}`. Paperclip's code reads `timeoutMs` while its docs say
 * `timeoutSec`; both are accepted (timeoutMs wins).
 */
import { z } from "zod";
import { envValueSchema } from "../../core/secrets/env-bindings.js";

export const DEFAULT_HTTP_TIMEOUT_MS = 120_000;
export const DEFAULT_CALLBACK_TIMEOUT_SEC = 3600;

export const httpConfigSchema = z
  .object({
    url: z
      .string({ error: "url is required (the endpoint that receives each heartbeat)" })
      .trim()
      .refine((v) => {
        try {
          const u = new URL(v);
          return u.protocol === "http:" || u.protocol === "https:";
        } catch {
          return false;
        }
      }, "url must be an absolute http:// or https:// URL"),
    method: z
      .string()
      .transform((m) => m.toUpperCase())
      .pipe(z.enum(["POST", "PUT", "PATCH"], { error: "method must be POST, PUT or PATCH (the run is sent as a JSON body)" }))
      .default("POST"),
    headers: z.record(z.string(), z.string({ error: "every header value must be a string" })).default({}),
    payloadTemplate: z.record(z.string(), z.unknown()).default({}),
    timeoutMs: z.number().int().min(0).max(24 * 3600 * 1000).optional(),
    timeoutSec: z.number().min(0).max(24 * 3600).optional(),
    asyncCallback: z.boolean().default(false),
    callbackTimeoutSec: z.number().int().min(1).max(7 * 24 * 3600).default(DEFAULT_CALLBACK_TIMEOUT_SEC),
  })
  .passthrough();

export type HttpConfig = z.infer<typeof httpConfigSchema>;

/** What an agent row may store: header values may be secret bindings, resolved when a run starts. */
export const httpStoredConfigSchema = httpConfigSchema.extend({
  headers: z.record(z.string(), envValueSchema).default({}),
});

/** The request timeout in ms; 0 in config means "no limit of its own" (the run's upper bound still applies). */
export function requestTimeoutMs(config: Pick<HttpConfig, "timeoutMs" | "timeoutSec">): number {
  if (config.timeoutMs !== undefined) return config.timeoutMs;
  if (config.timeoutSec !== undefined) return Math.round(config.timeoutSec * 1000);
  return DEFAULT_HTTP_TIMEOUT_MS;
}
