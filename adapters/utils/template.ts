/**
 * `{{variable}}` prompt templates, compatible with the two styles Paperclip prompts use:
 * dotted paths (`{{agent.name}}`, `{{run.id}}`, `{{context.wakeReason}}`) and the flat names external
 * adapters document (`{{agentId}}`, `{{taskTitle}}`, `{{runId}}`). A placeholder with no value is left
 * as written, so a typo shows up in the prompt instead of vanishing.
 */
import type { AdapterExecutionContext } from "../types.js";
import { readRuntimeSkills, skillsPromptSection } from "./runtime-skills.js";

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w.]*)\s*\}\}/g;

function lookup(data: Record<string, unknown>, key: string): unknown {
  if (key in data) return data[key];
  let value: unknown = data;
  for (const part of key.split(".")) {
    if (!value || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

export function renderTemplate(template: string, data: Record<string, unknown>): string {
  return template.replace(PLACEHOLDER, (whole, key: string) => {
    const value = lookup(data, key);
    if (value === undefined || value === null) return whole;
    return typeof value === "object" ? JSON.stringify(value) : String(value);
  });
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);

/** Everything a prompt template may name for one run, in both styles. */
export function templateData(ctx: Pick<AdapterExecutionContext, "runId" | "agent" | "context">): Record<string, unknown> {
  const c = ctx.context;
  const issue = (c.paperclipIssue && typeof c.paperclipIssue === "object" ? c.paperclipIssue : {}) as Record<string, unknown>;
  const taskId = str(c.taskId) ?? str(c.issueId) ?? "";
  const wakeReason = str(c.wakeReason) ?? "heartbeat";
  const flat = {
    agentId: ctx.agent.id,
    agentName: ctx.agent.name,
    companyId: ctx.agent.companyId,
    companyName: str(c.companyName) ?? "",
    runId: ctx.runId,
    taskId,
    taskTitle: str(c.taskTitle) ?? str(issue.title) ?? "",
    taskBody: str(c.taskBody) ?? str(issue.description) ?? "",
    projectName: str(c.projectName) ?? "",
    wakeReason,
  };
  return {
    ...flat,
    agent: { id: ctx.agent.id, name: ctx.agent.name, companyId: ctx.agent.companyId },
    company: { id: ctx.agent.companyId, name: flat.companyName },
    run: { id: ctx.runId },
    task: { id: taskId, title: flat.taskTitle, body: flat.taskBody },
    context: c,
  };
}

/** The prompt every adapter uses when the agent has no `promptTemplate`. */
export const DEFAULT_PROMPT_TEMPLATE =
  "You are {{agent.name}}, a Paperclip agent. This is heartbeat run {{runId}} (wake reason: {{wakeReason}}). Continue your Paperclip work.";

/**
 * The rendered prompt for a run: the agent's `promptTemplate`, or the default one, followed by the list
 * of the run's mounted skills when it has some (`skills: false` for a runtime that loads them natively).
 */
export function renderRunPrompt(
  ctx: Pick<AdapterExecutionContext, "runId" | "agent" | "context"> & { config?: Record<string, unknown> },
  promptTemplate: string | undefined,
  opts: { skills?: boolean } = {},
): string {
  const prompt = renderTemplate(promptTemplate ?? DEFAULT_PROMPT_TEMPLATE, templateData(ctx));
  return opts.skills === false ? prompt : prompt + skillsPromptSection(readRuntimeSkills(ctx.config));
}
