/**
 * Skill conformance: a company of scripted agents (tests/fixtures/skill-agent.mjs — a process agent
 * that makes exactly the calls skills/switchboard/SKILL.md prescribes, in its order, with its run
 * token only) completes a tree of issues through the real engine and API.
 *
 * The board assigns a top issue to the CEO; the CEO delegates one sub-issue to each of its two
 * reports; each report works its sub-issue, closes it with a comment and tells the parent; that wakes
 * the CEO, who closes the top issue once both are done. The activity log, the runs and the cost
 * ledger must tell that story, and every call must be one SKILL.md names.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Db } from "../../db/connection.js";
import { openTestDb } from "../fixtures/issues-db.js";
import { logText, TERMINAL_RUN_STATUSES } from "../helpers/api-client.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";
import { extractRoutes, routeShape, SKILLS_DIR } from "../helpers/skill-routes.js";
import { waitFor } from "../helpers/wait.js";

const script = path.resolve("tests/fixtures/skill-agent.mjs");
const skillText = fs.readFileSync(path.join(SKILLS_DIR, "switchboard/SKILL.md"), "utf8");
/** Each route shape SKILL.md names, with the position of its first mention. */
const skillOrder = new Map<string, number>();
for (const r of extractRoutes(skillText)) {
  const shape = routeShape(r.method, r.path);
  if (!skillOrder.has(shape)) skillOrder.set(shape, skillOrder.size);
}

let t: TestRuntime;
let db: Db;
let companyId: string;

beforeAll(async () => {
  fs.chmodSync(script, 0o755);
  t = await startTestRuntime();
  db = openTestDb();
  companyId = (await t.api.createCompany("Skillful Ventures")).id;
});
afterAll(async () => {
  await db?.destroy();
  await t?.stop();
});

const scriptedAgent = (env: Record<string, string> = {}) => ({ command: script, args: [], timeoutSec: 30, graceSec: 2, env });

interface RunRecord {
  run: any;
  stdout: string;
  /** `METHOD /api/...` templates the script called, in order. */
  calls: string[];
}

async function runsOf(agentId: string): Promise<RunRecord[]> {
  const runs = ((await t.api.get(`/api/companies/${companyId}/heartbeat-runs?agentId=${agentId}&limit=100`)).body as any[]).reverse();
  return Promise.all(
    runs.map(async (run) => {
      const stdout = logText((await t.api.runLog(run.id)).content, "stdout");
      const calls = [...stdout.matchAll(/^\[skill\] ((?:GET|POST|PUT|PATCH|DELETE) \/api\/\S+) -> \d+$/gm)].map((m) => m[1]!);
      return { run, stdout, calls };
    }),
  );
}

it("a CEO and two reports complete a tree of issues by following SKILL.md", async () => {
  const startedAt = Date.now();
  const plan = {
    delegate: [
      { title: "Write the launch announcement", assignee: "Ada" },
      { title: "Prepare the pricing page", assignee: "Grace" },
    ],
  };
  const ceo = await t.api.createAgent(companyId, { name: "Chief", role: "ceo", adapterConfig: scriptedAgent({ SKILL_AGENT_PLAN: JSON.stringify(plan) }) });
  const ada = await t.api.createAgent(companyId, { name: "Ada", role: "engineer", reportsTo: ceo.id, adapterConfig: scriptedAgent() });
  const grace = await t.api.createAgent(companyId, { name: "Grace", role: "designer", reportsTo: ceo.id, adapterConfig: scriptedAgent() });
  const names = new Map([
    [ceo.id, "Chief"],
    [ada.id, "Ada"],
    [grace.id, "Grace"],
  ]);

  const top = (await t.api.post(`/api/companies/${companyId}/issues`, { title: "Launch the beta", description: "Announcement and pricing, this week.", assigneeAgentId: ceo.id })).body;
  expect(top.status).toBe("todo");

  // The whole tree closes, then every run settles (a late wake may still give the CEO an idle run).
  await waitFor("the top issue to be done", async () => (await t.api.get(`/api/issues/${top.id}`)).body.status === "done", 45_000, 200);
  await waitFor(
    "every run to finish",
    async () => ((await t.api.get(`/api/companies/${companyId}/heartbeat-runs?limit=100`)).body as any[]).every((r) => TERMINAL_RUN_STATUSES.includes(r.status)),
    15_000,
    200,
  );

  // ---- the issue tree ----
  const children = (await t.api.get(`/api/companies/${companyId}/issues?parentId=${top.id}`)).body as any[];
  expect(children.map((c) => [c.title, c.assigneeAgentId, c.status]).sort()).toEqual(
    [
      ["Prepare the pricing page", grace.id, "done"],
      ["Write the launch announcement", ada.id, "done"],
    ].sort(),
  );
  const final = (await t.api.get(`/api/issues/${top.id}`)).body;
  expect(final).toMatchObject({ status: "done", assigneeAgentId: ceo.id, checkoutRunId: null, executionRunId: null });
  for (const c of children) expect(c).toMatchObject({ checkoutRunId: null, executionRunId: null, createdByAgentId: ceo.id });

  // ---- comments from each agent ----
  const commentsOn = async (issueId: string) => (await t.api.get(`/api/issues/${issueId}/comments?order=asc`)).body as any[];
  const topComments = await commentsOn(top.id);
  const byAuthor = (list: any[], agentId: string) => list.filter((c) => c.authorAgentId === agentId).map((c) => c.body as string);
  expect(byAuthor(topComments, ceo.id)[0]).toMatch(/^Splitting .* into 2 sub-issues/);
  expect(byAuthor(topComments, ceo.id).at(-1)).toMatch(/^All sub-issues finished: .*\(done\), .*\(done\)\.$/);
  for (const child of children) {
    const author = child.assigneeAgentId as string;
    expect(byAuthor(topComments, author), names.get(author)).toEqual([`${child.identifier} is done.`]);
    const own = byAuthor(await commentsOn(child.id), author);
    expect(own[0]).toBe(`Starting ${child.identifier}: ${child.title}.`);
    expect(own.at(-1)).toMatch(/^Done: wrote .*\.md \(run [0-9a-f-]{36}\)\.$/);
  }

  // ---- runs: who was woken, why, and what each did ----
  const runs = new Map([
    [ceo.id, await runsOf(ceo.id)],
    [ada.id, await runsOf(ada.id)],
    [grace.id, await runsOf(grace.id)],
  ]);
  for (const [agentId, list] of runs) {
    for (const r of list) {
      expect(r.run.status, `${names.get(agentId)} run ${r.run.id}: ${r.stdout}`).toBe("succeeded");
      // The only credential each process had was its own run's token.
      expect(r.stdout).toContain("[skill] auth run-token");
    }
  }
  for (const report of [ada, grace]) {
    const [only, ...more] = runs.get(report.id)!;
    expect(more, "one run per report").toEqual([]);
    expect(only!.run.contextSnapshot).toMatchObject({ wakeReason: "issue_assigned" });
    expect(only!.calls).toEqual([
      "GET /api/agents/me",
      "GET /api/agents/me/inbox-lite",
      "POST /api/issues/{issueId}/checkout",
      "GET /api/issues/{issueId}/heartbeat-context",
      "POST /api/issues/{issueId}/comments",
      "PATCH /api/issues/{issueId}",
      "POST /api/issues/{parentId}/comments",
    ]);
  }
  const ceoRuns = runs.get(ceo.id)!;
  expect(ceoRuns[0]!.run.contextSnapshot).toMatchObject({ wakeReason: "issue_assigned", issueId: top.id });
  expect(ceoRuns[0]!.calls).toEqual([
    "GET /api/agents/me",
    "GET /api/agents/me/inbox-lite",
    "POST /api/issues/{issueId}/checkout",
    "GET /api/issues/{issueId}/heartbeat-context",
    "POST /api/issues/{issueId}/comments",
    "GET /api/companies/{companyId}/agents",
    "GET /api/companies/{companyId}/issues",
    "POST /api/companies/{companyId}/issues",
    "POST /api/companies/{companyId}/issues",
  ]);
  // Woken again by its reports' comments on the top issue and by the last sub-issue closing
  // (issue_children_completed); one of those runs closed it.
  const later = ceoRuns.slice(1);
  expect(later.length).toBeGreaterThanOrEqual(1);
  for (const r of later) expect(r.run.contextSnapshot).toMatchObject({ wakeReason: expect.stringMatching(/^issue_(commented|children_completed)$/), issueId: top.id });
  const closing = later.filter((r) => r.calls.includes("PATCH /api/issues/{issueId}"));
  expect(closing).toHaveLength(1);
  expect(closing[0]!.calls.slice(-2)).toEqual(["GET /api/companies/{companyId}/issues", "PATCH /api/issues/{issueId}"]);
  // The reports' comments were new to it (heartbeat-context's cursor moved): it read them.
  expect(closing[0]!.calls).toContain("GET /api/issues/{issueId}/comments");

  // ---- every call is one SKILL.md names, first used in the order SKILL.md introduces it ----
  for (const [agentId, list] of runs) {
    for (const r of list) {
      const positions = [...new Set(r.calls.map((c) => routeShape(c.split(" ")[0]!, c.split(" ")[1]!)))].map((shape) => {
        expect(skillOrder.has(shape), `${names.get(agentId)} called ${shape}, which SKILL.md does not name`).toBe(true);
        return skillOrder.get(shape)!;
      });
      expect(positions, `${names.get(agentId)} run ${r.run.id}: calls out of SKILL.md's order`).toEqual([...positions].sort((a, b) => a - b));
    }
  }

  // ---- the activity log names each agent and the run it acted in ----
  const activity = await db.selectFrom("activity_log").selectAll().where("companyId", "=", companyId).where("actorType", "=", "agent").execute();
  for (const [agentId, list] of runs) {
    const runIds = new Set(list.map((r) => r.run.id as string));
    const rows = activity.filter((a) => a.actorId === agentId);
    const actions = rows.map((a) => a.action);
    expect(actions, names.get(agentId)).toEqual(expect.arrayContaining(["issue.checked_out", "issue.comment_added", "issue.updated"]));
    for (const row of rows) {
      expect(row.agentId).toBe(agentId);
      expect(runIds.has(row.runId!), `${row.action} by ${names.get(agentId)} names run ${row.runId}`).toBe(true);
    }
  }
  expect(activity.filter((a) => a.actorId === ceo.id && a.action === "issue.created").map((a) => a.entityId).sort()).toEqual(children.map((c) => c.id).sort());
  // No agent ever had a long-lived key: the run token was the only way in.
  for (const agentId of names.keys()) expect((await t.api.get(`/api/agents/${agentId}/keys`)).body).toEqual([]);

  // ---- one cost_events row per run, as the agent reported it (1 cent per API call) ----
  const costs = await db.selectFrom("cost_events").selectAll().where("companyId", "=", companyId).execute();
  const allRuns = [...runs.values()].flat();
  expect(costs).toHaveLength(allRuns.length);
  for (const r of allRuns) {
    const row = costs.find((c) => c.heartbeatRunId === r.run.id);
    expect(row, `cost row of run ${r.run.id}`).toMatchObject({ agentId: r.run.agentId, provider: "skill-agent", model: "scripted-v1", billingType: "metered_api", costCents: r.calls.length });
    expect(row!.inputTokens).toBeGreaterThan(0);
    expect(r.stdout).toContain(`[skill] calls ${r.calls.length}\n`);
  }
  const byAgent = (await t.api.get(`/api/companies/${companyId}/costs/by-agent`)).body as any[];
  for (const [agentId, list] of runs) {
    const spent = Number(byAgent.find((b) => b.agentId === agentId)?.costCents);
    expect(spent, names.get(agentId)).toBe(list.reduce((sum, r) => sum + r.calls.length, 0));
  }

  expect(Date.now() - startedAt).toBeLessThan(60_000);
}, 90_000);

it("an idle heartbeat is two calls: identity and an empty inbox", async () => {
  const idler = await t.api.createAgent(companyId, { name: "Idle", role: "engineer", adapterConfig: scriptedAgent() });
  const queued = await t.api.wake(idler.id, { source: "on_demand", reason: "check in" });
  const run = await t.api.waitForRun(queued.id, 20_000);
  const [record] = await runsOf(idler.id);
  expect(run.status).toBe("succeeded");
  expect(record!.calls).toEqual(["GET /api/agents/me", "GET /api/agents/me/inbox-lite"]);
  expect(record!.stdout).toContain("[skill] summary idle: nothing to do");
  const cost = await db.selectFrom("cost_events").selectAll().where("heartbeatRunId", "=", run.id).executeTakeFirstOrThrow();
  expect(cost.costCents).toBe(2);
}, 30_000);
