/**
 * `adapterConfig` of `cursor`: the Cursor Agent CLI (`agent -p --output-format stream-json`) run once
 * per heartbeat. `mode` is Cursor's read-only `plan` or `ask`; without it the agent may edit.
 */
import path from "node:path";
import { z } from "zod";
import { envValueSchema } from "../../core/secrets/env-bindings.js";

export const CURSOR_DEFAULT_GRACE_SEC = 20;

export const cursorConfigSchema = z
  .object({
    command: z.string().trim().min(1, "command must not be empty").default("agent"),
    cwd: z
      .string()
      .refine((v) => path.isAbsolute(v), "cwd must be an absolute path")
      .optional(),
    model: z.string().trim().min(1, "model must not be empty").max(200).optional(),
    mode: z.enum(["plan", "ask"], { error: 'mode must be "plan" or "ask" (leave it out for the default agent mode)' }).optional(),
    promptTemplate: z.string().min(1, "promptTemplate must not be empty").max(100_000).optional(),
    extraArgs: z
      .array(z.string({ error: "every element of extraArgs must be a string" }), {
        error: 'extraArgs must be an array of strings such as ["--trust"]; the adapter never uses a shell',
      })
      .default([]),
    // Values may be secret bindings: executeRun resolves them to strings just before the adapter runs.
    env: z.record(z.string(), envValueSchema).default({}),
    timeoutSec: z.number().min(0).max(7 * 24 * 3600).default(0),
    graceSec: z.number().min(0).max(3600).default(CURSOR_DEFAULT_GRACE_SEC),
  })
  .passthrough();

export type CursorConfig = z.infer<typeof cursorConfigSchema>;

/** A configured `CURSOR_API_KEY` (a string, or a secret binding before resolution) means API billing. */
export function hasCursorApiKey(env: unknown): boolean {
  if (!env || typeof env !== "object" || Array.isArray(env)) return false;
  const value = (env as Record<string, unknown>).CURSOR_API_KEY;
  if (typeof value === "string") return value.trim().length > 0;
  return value !== null && typeof value === "object";
}
