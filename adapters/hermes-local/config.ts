/**
 * `adapterConfig` of `hermes_local` (Nous Research's Hermes Agent CLI, `hermes chat -q`). Key names
 * follow Paperclip's Hermes adapter so existing agent configs carry over, including `hermesCommand`
 * (`command` is accepted as well, like every other CLI adapter).
 */
import path from "node:path";
import { z } from "zod";
import { envValueSchema } from "../../core/secrets/env-bindings.js";

export const HERMES_DEFAULT_COMMAND = "hermes";
export const HERMES_DEFAULT_TIMEOUT_SEC = 300;
export const HERMES_DEFAULT_GRACE_SEC = 10;

const commandSchema = z.string().trim().min(1, "the Hermes command must not be empty");
const toolsetName = z.string().trim().regex(/^[\w.-]+$/, "toolset names are letters, digits, '_', '-' or '.'");

export const hermesConfigSchema = z
  .object({
    hermesCommand: commandSchema.optional(),
    command: commandSchema.optional(),
    cwd: z
      .string()
      .refine((v) => path.isAbsolute(v), "cwd must be an absolute path")
      .optional(),
    model: z.string().trim().min(1, "model must not be empty").max(200).optional(),
    provider: z
      .string()
      .trim()
      .regex(/^[a-z0-9][a-z0-9._-]*$/i, 'provider must be a Hermes provider name such as "openrouter", "nous" or "auto"')
      .optional(),
    // Hermes takes a comma-separated list; an array is accepted and joined.
    toolsets: z
      .union([z.string().trim().regex(/^[\w.-]+(?:\s*,\s*[\w.-]+)*$/, 'toolsets must be a comma-separated list such as "web,terminal"'), z.array(toolsetName)], {
        error: 'toolsets must be "web,terminal" or ["web", "terminal"]',
      })
      .optional(),
    persistSession: z.boolean().default(true),
    maxTurns: z.number().int().min(1).max(10_000).optional(),
    verbose: z.boolean().default(false),
    quiet: z.boolean().default(true),
    promptTemplate: z.string().min(1, "promptTemplate must not be empty").max(100_000).optional(),
    extraArgs: z
      .array(z.string({ error: "every element of extraArgs must be a string" }), {
        error: 'extraArgs must be an array of strings such as ["--checkpoints"]; the adapter never uses a shell',
      })
      .default([]),
    // Values may be secret bindings: executeRun resolves them to strings just before the adapter runs.
    env: z.record(z.string(), envValueSchema).default({}),
    timeoutSec: z.number().min(0).max(7 * 24 * 3600).default(HERMES_DEFAULT_TIMEOUT_SEC),
    graceSec: z.number().min(0).max(3600).default(HERMES_DEFAULT_GRACE_SEC),
  })
  .passthrough();

export type HermesConfig = z.infer<typeof hermesConfigSchema>;

/** `hermesCommand`, else `command`, else `hermes`. */
export function hermesCommandOf(config: Pick<HermesConfig, "hermesCommand" | "command">): string {
  return config.hermesCommand ?? config.command ?? HERMES_DEFAULT_COMMAND;
}

/** The `-t` value, or null when no toolsets are configured. */
export function toolsetsArg(toolsets: HermesConfig["toolsets"]): string | null {
  if (toolsets === undefined) return null;
  const names = (Array.isArray(toolsets) ? toolsets : toolsets.split(",")).map((s) => s.trim()).filter(Boolean);
  return names.length > 0 ? names.join(",") : null;
}
