/**
 * `adapterConfig` of the `codex_local` adapter: the OpenAI Codex CLI run non-interactively
 * (`codex exec --json`) for each heartbeat. The prompt template is rendered by the shared
 * adapters/utils/template.ts, so its placeholders are the same for every adapter.
 */
import path from "node:path";
import { z } from "zod";
import { envValueSchema } from "../../core/secrets/env-bindings.js";

export const CODEX_DEFAULT_GRACE_SEC = 15;

export const codexConfigSchema = z
  .object({
    command: z.string().trim().min(1, "command must not be empty").default("codex"),
    cwd: z
      .string()
      .refine((v) => path.isAbsolute(v), "cwd must be an absolute path")
      .optional(),
    model: z.string().trim().min(1, "model must not be empty").max(200).optional(),
    promptTemplate: z.string().trim().min(1, "promptTemplate must not be empty").max(100_000).optional(),
    extraArgs: z
      .array(z.string({ error: "every element of extraArgs must be a string" }), {
        error: 'extraArgs must be an array of strings such as ["-c", "model_reasoning_effort=\\"high\\""]',
      })
      .default([]),
    // Values may be secret bindings: executeRun resolves them to strings just before the adapter runs.
    env: z.record(z.string(), envValueSchema).default({}),
    timeoutSec: z.number().min(0).max(7 * 24 * 3600).default(0),
    graceSec: z.number().min(0).max(3600).default(CODEX_DEFAULT_GRACE_SEC),
    bypassApprovalsAndSandbox: z.boolean().default(false),
  })
  .passthrough();

export type CodexConfig = z.infer<typeof codexConfigSchema>;
