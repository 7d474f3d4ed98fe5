/**
 * `adapterConfig` of `gemini_local` (Google Gemini CLI): `{command?, cwd?, model?, promptTemplate?,
 * sandbox?, extraArgs?, env?, timeoutSec?, graceSec?}`. Validated when an agent is created or changed
 * (a bad config is a 422 then, not a failed run later) and again when a run starts.
 */
import path from "node:path";
import { z } from "zod";
import { envValueSchema } from "../../core/secrets/env-bindings.js";

export const GEMINI_DEFAULT_COMMAND = "gemini";
export const GEMINI_DEFAULT_GRACE_SEC = 20;

export const geminiConfigSchema = z
  .object({
    command: z.string().trim().min(1, "command must not be empty").default(GEMINI_DEFAULT_COMMAND),
    cwd: z
      .string()
      .refine((v) => path.isAbsolute(v), "cwd must be an absolute path")
      .optional(),
    // Aliases (auto, pro, flash, flash-lite) or a concrete model name; absent = the CLI's own default.
    model: z.string().trim().min(1, "model must not be empty").max(200).optional(),
    promptTemplate: z.string().min(1, "promptTemplate must not be empty").max(100_000).optional(),
    // false runs tools on the host (`--sandbox=none`); true asks the CLI for its container sandbox.
    sandbox: z.boolean({ error: "sandbox must be true or false" }).default(false),
    extraArgs: z
      .array(z.string({ error: "every element of extraArgs must be a string" }), {
        error: 'extraArgs must be an array of strings such as ["--include-directories", "/srv/docs"]; the adapter never uses a shell',
      })
      .default([]),
    // Values may be secret bindings: executeRun resolves them to strings just before the adapter runs.
    env: z.record(z.string(), envValueSchema).default({}),
    timeoutSec: z.number().min(0).max(7 * 24 * 3600).default(0),
    graceSec: z.number().min(0).max(3600).default(GEMINI_DEFAULT_GRACE_SEC),
  })
  .passthrough();

export type GeminiConfig = z.infer<typeof geminiConfigSchema>;

/** Names under which the Gemini CLI reads an API key; with one set the run is billed per token. */
export const GEMINI_API_KEY_NAMES = ["GEMINI_API_KEY", "GOOGLE_API_KEY"] as const;

function hasValue(value: unknown): boolean {
  if (typeof value === "string") return value.trim() !== "";
  if (!value || typeof value !== "object") return false;
  const binding = value as { type?: unknown; value?: unknown };
  if (binding.type === "plain") return typeof binding.value === "string" && binding.value.trim() !== "";
  return binding.type === "secret_ref";
}

/** The configured API key variable, if any (a secret binding counts: it resolves to a value at run time). */
export function configuredApiKeyName(env: unknown): string | null {
  if (!env || typeof env !== "object" || Array.isArray(env)) return null;
  const record = env as Record<string, unknown>;
  for (const name of GEMINI_API_KEY_NAMES) {
    if (hasValue(record[name])) return name;
  }
  return null;
}
