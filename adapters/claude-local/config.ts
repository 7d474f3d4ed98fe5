/**
 * `adapterConfig` of `claude_local`: `{command?, cwd?, model?, promptTemplate?, extraArgs?, env?,
 * timeoutSec?, graceSec?, dangerouslySkipPermissions?}`. The prompt template is rendered by the shared
 * adapters/utils/template.ts, so its placeholders are the same for every adapter.
 */
import path from "node:path";
import { z } from "zod";
import { envValueSchema } from "../../core/secrets/env-bindings.js";

export const CLAUDE_DEFAULT_GRACE_SEC = 20;

export const claudeConfigSchema = z
  .object({
    command: z.string().trim().min(1, "command must not be empty").default("claude"),
    cwd: z
      .string()
      .refine((v) => path.isAbsolute(v), "cwd must be an absolute path")
      .optional(),
    model: z.string().trim().min(1, "model must not be empty").optional(),
    promptTemplate: z.string().min(1, "promptTemplate must not be empty").max(1_000_000, "promptTemplate must be at most 1,000,000 characters").optional(),
    extraArgs: z
      .array(z.string({ error: "every element of extraArgs must be a string" }), {
        error: "extraArgs must be an array of strings; the adapter never uses a shell",
      })
      .default([]),
    // Values may be secret bindings: executeRun resolves them to strings just before the adapter runs.
    env: z.record(z.string(), envValueSchema).default({}),
    timeoutSec: z.number().min(0).max(7 * 24 * 3600).default(0),
    graceSec: z.number().min(0).max(3600).default(CLAUDE_DEFAULT_GRACE_SEC),
    dangerouslySkipPermissions: z.boolean().optional(),
  })
  .passthrough();

export type ClaudeConfig = z.infer<typeof claudeConfigSchema>;
