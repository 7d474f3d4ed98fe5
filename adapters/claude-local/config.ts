/**
 * `adapterConfig` of `claude_local`: `{command?, cwd?, model?, promptTemplate?, extraArgs?, env?,
 * timeoutSec?, graceSec?, dangerouslySkipPermissions?}`.
 */
import path from "node:path";
import { z } from "zod";
import { envValueSchema } from "../../core/secrets/env-bindings.js";

export const CLAUDE_DEFAULT_GRACE_SEC = 20;

export const DEFAULT_CLAUDE_PROMPT_TEMPLATE =
  "You are {{agent.name}}, a Paperclip agent. This is heartbeat run {{runId}} (wake reason: {{wakeReason}}). Continue your Paperclip work.";

export const claudeConfigSchema = z
  .object({
    command: z.string().trim().min(1, "command must not be empty").default("claude"),
    cwd: z
      .string()
      .refine((v) => path.isAbsolute(v), "cwd must be an absolute path")
      .optional(),
    model: z.string().trim().min(1, "model must not be empty").optional(),
    promptTemplate: z.string().min(1, "promptTemplate must not be empty").optional(),
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

/** `{{agent.name}}`, `{{agent.id}}`, `{{runId}}`, `{{wakeReason}}`; unknown placeholders are left as they are. */
export function renderPromptTemplate(template: string, vars: { agentName: string; agentId: string; runId: string; wakeReason: string }): string {
  const values: Record<string, string> = {
    "agent.name": vars.agentName,
    "agent.id": vars.agentId,
    runId: vars.runId,
    wakeReason: vars.wakeReason,
  };
  return template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (whole, key: string) => values[key] ?? whole);
}
