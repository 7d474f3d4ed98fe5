/**
 * The heartbeat protocol end to end, as a real agent process does it with its run token
 * (PAPERCLIP_API_KEY): assigned → woken → /agents/me → checkout (while its run holds the issue's
 * execution lock) → heartbeat-context → PATCH done with a comment. Nothing inserted by hand.
 */
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Db } from "../../db/connection.js";
import { openTestDb } from "../fixtures/issues-db.js";
import { logText } from "../helpers/api-client.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";
import { waitFor } from "../helpers/wait.js";

let t: TestRuntime;
let db: Db;
let companyId: string;

beforeAll(async () => {
  t = await startTestRuntime();
  db = openTestDb();
  companyId = (await t.api.createCompany("Protocol Partners")).id;
});
afterAll(async () => {
  await db?.destroy();
  await t?.stop();
});

it("an assigned agent checks out, reads its context and finishes the issue from its run", async () => {
  const boss = (await t.api.createAgent(companyId, { name: "boss", role: "ceo", adapterConfig: { command: process.execPath, args: ["-e", "0"] } })).id;
  const agent = await t.api.createAgent(companyId, {
    name: "worker",
    reportsTo: boss,
    adapterConfig: { command: process.execPath, args: [path.resolve("tests/fixtures/issue-worker.mjs")], cwd: os.tmpdir() },
  });
  const issue = (await t.api.post(`/api/companies/${companyId}/issues`, { title: "Write the report", assigneeAgentId: agent.id })).body;

  const queued = await waitFor("the assignment run", async () => ((await t.api.get(`/api/companies/${companyId}/heartbeat-runs?agentId=${agent.id}`)).body as any[])[0]);
  const run = await t.api.waitForRun(queued.id, 30_000);
  const out = logText((await t.api.runLog(run.id)).content, "stdout");
  expect(run.status, out).toBe("succeeded");
  expect(out).toContain("me 200");
  expect(out).toContain("chain 1");
  expect(out).toContain("checkout 200");
  expect(out).toContain(`context-issue ${issue.identifier}`);
  expect(out).toContain("done 200");

  const final = (await t.api.get(`/api/issues/${issue.id}`)).body;
  expect(final).toMatchObject({ status: "done", assigneeAgentId: agent.id, checkoutRunId: null, executionRunId: null });
  expect(final.completedAt).not.toBeNull();
  const [comment] = (await t.api.get(`/api/issues/${issue.id}/comments`)).body;
  expect(comment).toMatchObject({ authorAgentId: agent.id, body: `Finished in run ${run.id}` });
  const checkedOut = await db.selectFrom("activity_log").selectAll().where("entityId", "=", issue.id).where("action", "=", "issue.checked_out").executeTakeFirstOrThrow();
  expect(checkedOut).toMatchObject({ actorType: "agent", actorId: agent.id, runId: run.id });
  // The agent's own comment on its own issue woke nobody: one run in all.
  expect((await t.api.get(`/api/companies/${companyId}/heartbeat-runs?agentId=${agent.id}`)).body).toHaveLength(1);
}, 60_000);
