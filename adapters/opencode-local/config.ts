/**
 * `adapterConfig` of `opencode_local`: OpenCode (`opencode run --format json`) run once per heartbeat.
 * `model` is required and must be `provider/model`, because OpenCode picks its provider from the
 * prefix: a bare model name would fail at run time, so it is refused when the agent is saved.
 */
import path from "node:path";
import { z } from "zod";
import { envValueSchema } from "../../core/secrets/env-bindings.js";

export const OPENCODE_DEFAULT_GRACE_SEC = 20;

const MODEL_SHAPE_HINT = 'model must be "provider/model", such as "anthropic/claude-sonnet-4-5" or "openai/gpt-5"';

export const opencodeModelSchema = z
  .string({ error: `model is required: ${MODEL_SHAPE_HINT}` })
  .trim()
  .min(1, `model is required: ${MODEL_SHAPE_HINT}`)
  .max(200, "model must be at most 200 characters")
  .refine((v) => /^[^/\s]+\/\S+$/.test(v), MODEL_SHAPE_HINT);

export const opencodeConfigSchema = z
  .object({
    command: z.string().trim().min(1, "command must not be empty").default("opencode"),
    cwd: z
      .string()
      .refine((v) => path.isAbsolute(v), "cwd must be an absolute path")
      .optional(),
    model: opencodeModelSchema,
    variant: z.string().trim().min(1, "variant must not be empty").max(100).optional(),
    dangerouslySkipPermissions: z.boolean().default(true),
    promptTemplate: z.string().min(1, "promptTemplate must not be empty").max(100_000).optional(),
    extraArgs: z
      .array(z.string({ error: "every element of extraArgs must be a string" }), {
        error: 'extraArgs must be an array of strings such as ["--agent", "build"]; the adapter never uses a shell',
      })
      .default([]),
    // Values may be secret bindings: executeRun resolves them to strings just before the adapter runs.
    env: z.record(z.string(), envValueSchema).default({}),
    timeoutSec: z.number().min(0).max(7 * 24 * 3600).default(0),
    graceSec: z.number().min(0).max(3600).default(OPENCODE_DEFAULT_GRACE_SEC),
  })
  .passthrough();

export type OpencodeConfig = z.infer<typeof opencodeConfigSchema>;

/** `anthropic/claude-sonnet-4-5` → `anthropic`: who serves (and bills) the model. */
export function providerOfModel(model: string): string {
  const slash = model.indexOf("/");
  return slash > 0 ? model.slice(0, slash) : "unknown";
}
