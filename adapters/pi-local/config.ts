/**
 * `adapterConfig` of `pi_local` (the Pi coding agent, npm `@mariozechner/pi-coding-agent`). Pi needs
 * to know which provider to call, so `model` is required as `provider/model` — a missing or
 * malformed one is a 422 when the agent is saved, not a failed run an hour later.
 */
import path from "node:path";
import { z } from "zod";
import { envValueSchema } from "../../core/secrets/env-bindings.js";

export const PI_DEFAULT_COMMAND = "pi";
export const PI_DEFAULT_GRACE_SEC = 20;
export const PI_THINKING_LEVELS = ["off", "minimal", "low", "medium", "high", "xhigh"] as const;

const MODEL_HINT = 'use "provider/model", for example "anthropic/claude-sonnet-4-5" or "openai/gpt-5"';

/** `provider/model`: a provider name, a slash, and a model id (which may itself contain slashes). */
const MODEL_PATTERN = /^[A-Za-z0-9][\w.-]*\/\S+$/;

export const piConfigSchema = z
  .object({
    command: z.string().trim().min(1, "command must not be empty").default(PI_DEFAULT_COMMAND),
    cwd: z
      .string()
      .refine((v) => path.isAbsolute(v), "cwd must be an absolute path")
      .optional(),
    instructionsFilePath: z.string().trim().min(1, "instructionsFilePath must not be empty").optional(),
    promptTemplate: z.string().min(1, "promptTemplate must not be empty").max(100_000).optional(),
    model: z
      .string({ error: `model is required: ${MODEL_HINT}` })
      .trim()
      .regex(MODEL_PATTERN, `model must be "provider/model": ${MODEL_HINT}`),
    thinking: z.enum(PI_THINKING_LEVELS, { error: `thinking must be one of ${PI_THINKING_LEVELS.join(", ")}` }).optional(),
    extraArgs: z
      .array(z.string({ error: "every element of extraArgs must be a string" }), {
        error: 'extraArgs must be an array of strings such as ["--tools", "read,bash"]; the adapter never uses a shell',
      })
      .default([]),
    // Values may be secret bindings: executeRun resolves them to strings just before the adapter runs.
    env: z.record(z.string(), envValueSchema).default({}),
    timeoutSec: z.number().min(0).max(7 * 24 * 3600).default(0),
    graceSec: z.number().min(0).max(3600).default(PI_DEFAULT_GRACE_SEC),
  })
  .passthrough();

export type PiConfig = z.infer<typeof piConfigSchema>;

/** `anthropic/claude-sonnet-4-5` → provider `anthropic`, id `claude-sonnet-4-5`; `openrouter/a/b` → `openrouter`, `a/b`. */
export function splitPiModel(model: string): { provider: string; modelId: string } {
  const slash = model.indexOf("/");
  return { provider: model.slice(0, slash), modelId: model.slice(slash + 1) };
}
