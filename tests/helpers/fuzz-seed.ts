/**
 * Seeds a company with rows of every kind through the API (Paperclip's request shapes), so the fuzz
 * test has real ids to aim at. A route group that is not built yet answers "API route not found":
 * that kind is skipped and reported, any other refusal is a seeding bug and fails loudly.
 */
import os from "node:os";
import type { ApiClient, HttpResult } from "./api-client.js";

/** Kinds of rows a path parameter or body field can name. */
export type Kind =
  | "company" | "agent" | "agentKey" | "member" | "run" | "issue" | "comment" | "approval" | "approvalComment"
  | "secret" | "goal" | "project" | "label" | "costEvent" | "budgetPolicy" | "incident" | "documentKey" | "user" | "boardKey";

export interface SeededCompany {
  companyId: string;
  issuePrefix: string;
  ids: Partial<Record<Kind, string[]>>;
  /** Issue identifiers such as `ABC-1`. */
  identifiers: string[];
  /** Agent API key of the company's first agent. */
  agentToken: string;
  /** Kinds whose create route does not exist yet. */
  skipped: string[];
}

const processAdapter = { command: "/bin/true", args: [], cwd: os.tmpdir() };
/** No timer: nothing in the seeded company moves on its own while the fuzz runs. */
const noTimer = { heartbeat: { enabled: false, intervalSec: 0 } };

export async function seedCompany(api: ApiClient, name: string, opts: { withRun?: boolean } = {}): Promise<SeededCompany> {
  const company = await api.createCompany(name);
  const out: SeededCompany = { companyId: company.id, issuePrefix: company.issuePrefix, ids: { company: [company.id], user: ["local-board"], documentKey: ["plan"] }, identifiers: [], agentToken: "", skipped: [] };
  const add = (kind: Kind, id: unknown) => {
    if (typeof id === "string") (out.ids[kind] ??= []).push(id);
  };
  const cid = company.id;
  /** POST/PUT a seed row; undefined when the route group does not exist yet. */
  const create = async (kind: string, method: "POST" | "PUT", path: string, body: unknown): Promise<any> => {
    const res: HttpResult = await api.request(method, path, body);
    if (res.status === 404 && res.body?.error === "API route not found") {
      if (!out.skipped.includes(kind)) out.skipped.push(kind);
      return undefined;
    }
    if (res.status >= 300) throw new Error(`seeding ${kind}: ${method} ${path} → ${res.status} ${JSON.stringify(res.body).slice(0, 400)}`);
    return res.body;
  };

  const newAgent = (label: string, role: string) => api.createAgent(cid, { name: `${name} ${label}`, role, adapterConfig: processAdapter, runtimeConfig: noTimer });
  const lead = await newAgent("lead", "ceo");
  const worker = await newAgent("worker", "engineer");
  add("agent", lead.id);
  add("agent", worker.id);
  const key = await create("agentKey", "POST", `/api/agents/${lead.id}/keys`, { name: "fuzz" });
  add("agentKey", key.id);
  out.agentToken = key.token;
  add("member", (await create("member", "POST", `/api/companies/${cid}/members`, { userId: "local-board", role: "owner" }))?.id);

  if (opts.withRun) {
    const run = await api.wake(worker.id, { source: "on_demand", reason: "fuzz seed" });
    await api.waitForRun(run.id);
    add("run", run.id);
  }

  const goal = await create("goal", "POST", `/api/companies/${cid}/goals`, { title: `${name} goal`, level: "company", status: "active" });
  add("goal", goal?.id);
  const project = await create("project", "POST", `/api/companies/${cid}/projects`, { name: `${name} project`, status: "in_progress", ...(goal ? { goalId: goal.id } : {}) });
  add("project", project?.id);
  const label = await create("label", "POST", `/api/companies/${cid}/labels`, { name: `${name} label`, color: "#336699" });
  add("label", label?.id);

  // Issues that wake nobody: unassigned, or assigned while still in backlog.
  const issueBodies = [
    { title: `${name} unassigned`, description: "seed", status: "todo", priority: "high", ...(project ? { projectId: project.id } : {}), ...(goal ? { goalId: goal.id } : {}) },
    { title: `${name} backlog for worker`, status: "backlog", assigneeAgentId: worker.id, ...(label ? { labelIds: [label.id] } : {}) },
  ];
  for (const body of issueBodies) {
    const issue = await create("issue", "POST", `/api/companies/${cid}/issues`, body);
    if (!issue) break;
    add("issue", issue.id);
    if (typeof issue.identifier === "string") out.identifiers.push(issue.identifier);
  }
  const [firstIssue, secondIssue] = out.ids.issue ?? [];
  if (firstIssue) {
    const child = await create("issue", "POST", `/api/companies/${cid}/issues`, { title: `${name} child`, status: "todo", parentId: firstIssue });
    add("issue", child?.id);
    add("comment", (await create("comment", "POST", `/api/issues/${firstIssue}/comments`, { body: "seed comment" }))?.id);
    await create("document", "PUT", `/api/issues/${firstIssue}/documents/plan`, { title: "Plan", format: "markdown", body: "# plan" });
  }

  const approval = await create("approval", "POST", `/api/companies/${cid}/approvals`, { type: "approve_ceo_strategy", requestedByAgentId: lead.id, payload: { plan: "seed" }, ...(secondIssue ? { issueIds: [secondIssue] } : {}) });
  add("approval", approval?.id);
  if (approval) add("approvalComment", (await create("approvalComment", "POST", `/api/approvals/${approval.id}/comments`, { body: "seed approval comment" }))?.id);

  add("secret", (await create("secret", "POST", `/api/companies/${cid}/secrets`, { name: `FUZZ_${company.issuePrefix}_TOKEN`, value: "s3cret-seed", description: "seed" }))?.id);
  add("costEvent", (await create("costEvent", "POST", `/api/companies/${cid}/cost-events`, { agentId: worker.id, provider: "anthropic", model: "claude-sonnet", inputTokens: 100, outputTokens: 20, costCents: 7, occurredAt: new Date().toISOString() }))?.id);
  const policy = await create("budgetPolicy", "POST", `/api/companies/${cid}/budgets/policies`, { scopeType: "agent", scopeId: worker.id, amount: 1_000_000, windowKind: "calendar_month_utc" });
  add("budgetPolicy", policy?.id ?? policy?.policy?.id);
  return out;
}

/** Which kind a path parameter names, from its name and the path segment before it. */
export function kindOfParam(url: string, param: string): Kind | undefined {
  const byName: Record<string, Kind> = {
    companyId: "company", agentId: "agent", issueId: "issue", approvalId: "approval", runId: "run", commentId: "comment",
    goalId: "goal", projectId: "project", labelId: "label", secretId: "secret", memberId: "member", userId: "user",
    incidentId: "incident", policyId: "budgetPolicy", key: "documentKey",
  };
  const segments = url.split("/");
  const before = segments[segments.indexOf(`:${param}`) - 1] ?? "";
  if (param === "commentId" && url.includes("/approvals/")) return "approvalComment";
  if (param === "keyId") return url.startsWith("/api/board-api-keys") ? "boardKey" : "agentKey";
  if (byName[param]) return byName[param];
  const bySegment: Record<string, Kind> = {
    companies: "company", agents: "agent", issues: "issue", approvals: "approval", "heartbeat-runs": "run", comments: "comment",
    goals: "goal", projects: "project", labels: "label", secrets: "secret", members: "member", users: "user",
    "budget-incidents": "incident", policies: "budgetPolicy", "cost-events": "costEvent", documents: "documentKey",
  };
  return bySegment[before];
}

/** Which kind a body field names (`assigneeAgentId` → agent, `labelIds` → label …). */
export function kindOfField(field: string, routeKind: Kind | undefined): Kind | undefined {
  const f = field.replace(/Ids?$/, "").toLowerCase();
  if (f === "parent") return routeKind ?? "issue";
  if (/agent$|^reportsto$|^requestedbyagent$/.test(f)) return "agent";
  if (/issue$/.test(f)) return "issue";
  if (/project$/.test(f)) return "project";
  if (/goal$/.test(f)) return "goal";
  if (/label$/.test(f)) return "label";
  if (/approval$/.test(f)) return "approval";
  if (/run$/.test(f)) return "run";
  if (/secret$/.test(f)) return "secret";
  if (/comment$/.test(f)) return "comment";
  if (/company$/.test(f)) return "company";
  if (f === "scope") return "agent";
  return undefined;
}
