/**
 * `adapterConfig` of the `process` adapter: `{command, args[], cwd, env?, timeoutSec?, graceSec?,
 * promptTemplate?, promptDelivery?}`. `args` must be an array: the adapter never uses a shell, so a
 * single string would be one argument with spaces in it — rejected here rather than run wrongly.
 */
import path from "node:path";
import { z } from "zod";
import { envValueSchema } from "../../core/secrets/env-bindings.js";

export const DEFAULT_GRACE_SEC = 15;

/** Where the rendered prompt goes: always a file ($PAPERCLIP_PROMPT_FILE); stdin too with "stdin"/"both". */
export const PROMPT_DELIVERIES = ["file", "stdin", "both"] as const;
export type PromptDelivery = (typeof PROMPT_DELIVERIES)[number];

export const processConfigSchema = z
  .object({
    command: z.string({ error: "command is required (an executable path or a name on PATH)" }).trim().min(1, "command must not be empty"),
    args: z
      .array(z.string({ error: "every element of args must be a string" }), {
        error: (issue) =>
          issue.input === undefined
            ? "args must be an array of strings"
            : 'args must be an array of strings such as ["-e", "console.log(1)"], not a single string: the process adapter never uses a shell',
      })
      .default([]),
    cwd: z
      .string()
      .refine((v) => path.isAbsolute(v), "cwd must be an absolute path")
      .optional(),
    // Values may be secret bindings: executeRun resolves them to strings just before the adapter runs.
    env: z.record(z.string(), envValueSchema).default({}),
    timeoutSec: z.number().min(0).max(7 * 24 * 3600).default(0),
    graceSec: z.number().min(0).max(3600).default(DEFAULT_GRACE_SEC),
    promptTemplate: z.string().min(1, "promptTemplate must not be empty").max(1_000_000, "promptTemplate must be at most 1,000,000 characters").optional(),
    promptDelivery: z.enum(PROMPT_DELIVERIES, { error: 'promptDelivery must be "file", "stdin" or "both"' }).default("file"),
  })
  .passthrough();

export type ProcessConfig = z.infer<typeof processConfigSchema>;
