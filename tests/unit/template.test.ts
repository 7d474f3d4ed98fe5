/** Prompt templates (adapters/utils/template.ts): both placeholder styles, what is left alone, and the default prompt. */
import { describe, expect, it } from "vitest";
import { DEFAULT_PROMPT_TEMPLATE, renderRunPrompt, renderTemplate, templateData } from "../../adapters/utils/template.js";

const ctx = {
  runId: "run-1",
  agent: { id: "agent-1", companyId: "co-1", name: "Ada", adapterType: "process", adapterConfig: {} },
  context: {
    taskId: "task-9",
    wakeReason: "issue_assigned",
    companyName: "Acme",
    paperclipIssue: { title: "Fix the login page", description: "It 500s" },
    paperclipWake: { reason: "issue_assigned", issue: { id: "task-9" } },
  },
};

describe("renderTemplate", () => {
  it("fills dotted paths and flat names, with spaces inside the braces allowed", () => {
    const data = templateData(ctx);
    expect(renderTemplate("{{agent.name}} ({{ agentId }}) / {{run.id}} / {{runId}}", data)).toBe("Ada (agent-1) / run-1 / run-1");
    expect(renderTemplate("{{taskId}}: {{taskTitle}} — {{task.body}} [{{wakeReason}}] at {{company.name}}", data)).toBe("task-9: Fix the login page — It 500s [issue_assigned] at Acme");
    expect(renderTemplate("{{context.wakeReason}}", data)).toBe("issue_assigned");
  });

  it("leaves an unknown or empty-valued placeholder as written, so a typo shows in the prompt", () => {
    const data = templateData(ctx);
    expect(renderTemplate("Hi {{agent.nmae}} {{nope}} {{agent.name.first}}", data)).toBe("Hi {{agent.nmae}} {{nope}} {{agent.name.first}}");
    expect(renderTemplate("{{ missing }} and {{}} and {{1abc}}", { missing: null })).toBe("{{ missing }} and {{}} and {{1abc}}");
  });

  it("renders an object value as JSON and numbers and booleans as text", () => {
    const data = templateData(ctx);
    expect(renderTemplate("{{context.paperclipWake}}", data)).toBe(JSON.stringify(ctx.context.paperclipWake));
    expect(renderTemplate("{{n}} {{b}} {{list}}", { n: 3, b: false, list: [1, "a"] })).toBe('3 false [1,"a"]');
  });

  it("prefers a flat key holding a dot over a path", () => {
    expect(renderTemplate("{{a.b}}", { "a.b": "flat", a: { b: "nested" } })).toBe("flat");
  });
});

describe("renderRunPrompt", () => {
  it("uses the agent's template, or the default one with the wake reason (heartbeat when there is none)", () => {
    expect(renderRunPrompt(ctx, "Work on {{taskTitle}}")).toBe("Work on Fix the login page");
    expect(DEFAULT_PROMPT_TEMPLATE).toContain("{{agent.name}}");
    const fallback = renderRunPrompt({ ...ctx, context: {} }, undefined);
    expect(fallback).toContain("You are Ada");
    expect(fallback).toContain("run-1");
    expect(fallback).toContain("wake reason: heartbeat");
    expect(fallback).not.toContain("{{");
  });
});
