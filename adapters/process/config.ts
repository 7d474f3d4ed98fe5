/** `adapterConfig` of the `process` adapter: `{command, args[], cwd, env?, timeoutSec?, graceSec?}`. */
import path from "node:path";
import { z } from "zod";
import { envValueSchema } from "../../core/secrets/env-bindings.js";

export const DEFAULT_GRACE_SEC = 15;

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
  })
  .passthrough();

export type ProcessConfig = z.infer<typeof processConfigSchema>;
