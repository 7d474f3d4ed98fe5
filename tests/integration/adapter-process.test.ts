/**
 * The `process` adapter through the real engine, with tests/fixtures/print-wake-env.mjs as the agent:
 * it gets the wake and workspace variables a CLI adapter gets, the rendered prompt in a private file
 * and (when asked) on stdin, nothing of the server's own environment, and a bad config is a 422.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { INHERITED_ENV_ALLOW_LIST } from "../../adapters/utils/env.js";
import { logText } from "../helpers/api-client.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";
import { waitFor } from "../helpers/wait.js";

const printer = path.resolve("tests/fixtures/print-wake-env.mjs");
const SECRET = `sb-test-secret-${randomUUID()}`;
const savedEnv = { DATABASE_URL: process.env.DATABASE_URL, SWITCHBOARD_TEST_SECRET: process.env.SWITCHBOARD_TEST_SECRET };
let t: TestRuntime;
let companyId: string;

beforeAll(async () => {
  fs.chmodSync(printer, 0o755);
  // Server-only values in the worker's own environment: the agent must see neither.
  process.env.SWITCHBOARD_TEST_SECRET = SECRET;
  process.env.DATABASE_URL ??= inject("databaseUrl");
  t = await startTestRuntime();
  companyId = (await t.api.createCompany("Process Works")).id;
});
afterAll(async () => {
  await t?.stop();
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

const printerAgent = async (name: string, config: Record<string, unknown> = {}, flags: string[] = []) =>
  (await t.api.createAgent(companyId, { name, adapterConfig: { command: process.execPath, args: [printer, ...flags], ...config } })).id;

const runsOf = async (agentId: string) => (await t.api.get(`/api/companies/${companyId}/heartbeat-runs?agentId=${agentId}`)).body as any[];

/** `KEY=value` lines of the fixture's stdout (the first `=` splits). */
function printedVars(stdout: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of stdout.split("\n")) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) vars[m[1]!] = m[2]!;
  }
  return vars;
}

/** Waits for the agent's run matching `match`, lets it finish, and returns it with what the fixture printed. */
async function finishedRun(agentId: string, match: (run: any) => boolean = () => true) {
  const queued = await waitFor(`a run of ${agentId}`, async () => (await runsOf(agentId)).find(match));
  const run = await t.api.waitForRun(queued.id, 30_000);
  const log = (await t.api.runLog(run.id)).content;
  return { run, log, stdout: logText(log, "stdout"), vars: printedVars(logText(log, "stdout")) };
}

const wakeAndFinish = async (agentId: string, reason = "ping") => {
  const { id } = await t.api.wake(agentId, { reason });
  return finishedRun(agentId, (r) => r.id === id);
};

describe("a process agent's environment", () => {
  it("gets PAPERCLIP_TASK_ID and the wake reason for an issue wake, and the comment id for a comment wake", async () => {
    const agent = await printerAgent("issue-worker", { cwd: os.tmpdir() });
    const issue = (await t.api.post(`/api/companies/${companyId}/issues`, { title: "wire the env", assigneeAgentId: agent })).body;
    const assigned = await finishedRun(agent, (r) => r.contextSnapshot?.wakeReason === "issue_assigned");
    expect(assigned.run.status).toBe("succeeded");
    expect(assigned.vars).toMatchObject({
      PAPERCLIP_TASK_ID: issue.id,
      PAPERCLIP_WAKE_REASON: "issue_assigned",
      PAPERCLIP_WAKE_COMMENT_ID: "",
      PAPERCLIP_RUN_ID: assigned.run.id,
      PAPERCLIP_AGENT_ID: agent,
      PAPERCLIP_COMPANY_ID: companyId,
      PAPERCLIP_API_URL: t.config.agentApiUrl,
    });
    expect(assigned.stdout).toContain("PAPERCLIP_API_KEY present: yes");

    const comment = (await t.api.post(`/api/issues/${issue.id}/comments`, { body: "one more thing" })).body;
    const commented = await finishedRun(agent, (r) => r.contextSnapshot?.wakeReason === "issue_commented");
    expect(commented.run.status).toBe("succeeded");
    expect(commented.vars).toMatchObject({ PAPERCLIP_TASK_ID: issue.id, PAPERCLIP_WAKE_REASON: "issue_commented", PAPERCLIP_WAKE_COMMENT_ID: comment.id });
  });

  it("gets the workspace variables: a configured cwd, or the agent's own home", async () => {
    const configured = await wakeAndFinish(await printerAgent("tmp-worker", { cwd: os.tmpdir() }, ["--cwd"]));
    expect(configured.vars).toMatchObject({ PAPERCLIP_WORKSPACE_CWD: os.tmpdir(), CWD: fs.realpathSync(os.tmpdir()), PAPERCLIP_WORKSPACE_SOURCE: "agent_home" });

    const homeAgent = await printerAgent("home-worker", {}, ["--cwd"]);
    const home = await wakeAndFinish(homeAgent);
    expect(home.run.status).toBe("succeeded");
    expect(home.vars.AGENT_HOME).toBe(path.join(t.config.home, "agents", homeAgent));
    expect(home.vars).toMatchObject({ PAPERCLIP_WORKSPACE_CWD: home.vars.AGENT_HOME, CWD: home.vars.AGENT_HOME, PAPERCLIP_WORKSPACE_SOURCE: "agent_home" });
  });

  it("sees none of the server's environment: only allow-listed, runtime and configured variables", async () => {
    const agent = await printerAgent("sealed", { cwd: os.tmpdir(), env: { GREETING: "hello" } });
    const { run, log, vars } = await wakeAndFinish(agent);
    expect(run.status).toBe("succeeded");
    const keys = JSON.parse(vars.ENV_KEYS!) as string[];
    expect(keys).toContain("GREETING");
    expect(keys).not.toContain("DATABASE_URL");
    expect(keys).not.toContain("SWITCHBOARD_TEST_SECRET");
    expect(log).not.toContain(SECRET);
    const runtimeOnly = new Set(["AGENT_HOME", "SWITCHBOARD_RESULT_FILE", "SWITCHBOARD_SESSION_ID", "SWITCHBOARD_TASK_KEY", "GREETING"]);
    const unexpected = keys.filter((k) => !(INHERITED_ENV_ALLOW_LIST as readonly string[]).includes(k) && !k.startsWith("PAPERCLIP_") && !runtimeOnly.has(k));
    expect(unexpected).toEqual([]);
    for (const key of ["PAPERCLIP_AGENT_ID", "PAPERCLIP_COMPANY_ID", "PAPERCLIP_API_URL", "PAPERCLIP_RUN_ID", "PAPERCLIP_API_KEY", "PAPERCLIP_WAKE_REASON", "PAPERCLIP_WORKSPACE_CWD", "PAPERCLIP_WORKSPACE_SOURCE", "PAPERCLIP_PROMPT_FILE"]) {
      expect(keys).toContain(key);
    }
  });
});

describe("a process agent's prompt", () => {
  const template = "Hello {{agent.name}}, run {{runId}} ({{wakeReason}}) {{notAVariable}}";

  it("is rendered into a private file by default, and not sent on stdin; the file is gone after the run", async () => {
    const agent = await printerAgent("filer", { cwd: os.tmpdir(), promptTemplate: template }, ["--read-stdin"]);
    const { run, vars } = await wakeAndFinish(agent, "ping");
    expect(run.status).toBe("succeeded");
    expect(JSON.parse(vars.PROMPT_FILE!)).toBe(`Hello filer, run ${run.id} (ping) {{notAVariable}}`);
    expect(vars.PROMPT_FILE_MODE).toBe("600");
    expect(JSON.parse(vars.PROMPT_STDIN!)).toBe("");
    expect(fs.existsSync(vars.PAPERCLIP_PROMPT_FILE!)).toBe(false);
  });

  it("is on stdin as well with promptDelivery both or stdin", async () => {
    for (const promptDelivery of ["both", "stdin"]) {
      const name = `piped-${promptDelivery}`;
      const agent = await printerAgent(name, { cwd: os.tmpdir(), promptTemplate: template, promptDelivery }, ["--read-stdin"]);
      const { run, vars } = await wakeAndFinish(agent, "nudge");
      expect(run.status).toBe("succeeded");
      const expected = `Hello ${name}, run ${run.id} (nudge) {{notAVariable}}`;
      expect(JSON.parse(vars.PROMPT_STDIN!)).toBe(expected);
      expect(JSON.parse(vars.PROMPT_FILE!)).toBe(expected);
    }
  });

  it("does not break the run when the process exits without reading a large stdin prompt", async () => {
    const agent = await printerAgent("deaf", { cwd: os.tmpdir(), promptTemplate: "x".repeat(500_000), promptDelivery: "stdin" }, ["--exit-early"]);
    const { run } = await wakeAndFinish(agent);
    expect(run).toMatchObject({ status: "succeeded", exitCode: 0, errorCode: null });
  });
});

describe("a process agent's config", () => {
  it("rejects args given as one string, and an unknown promptDelivery, with a 422 that says why", async () => {
    const create = (adapterConfig: Record<string, unknown>) => t.api.post(`/api/companies/${companyId}/agents`, { name: `bad-${randomUUID().slice(0, 6)}`, role: "engineer", adapterType: "process", adapterConfig });
    const stringArgs = await create({ command: process.execPath, args: "a string" });
    expect(stringArgs.status).toBe(422);
    expect(JSON.stringify(stringArgs.body)).toContain("args must be an array of strings");
    const badDelivery = await create({ command: process.execPath, args: [], promptDelivery: "pipe" });
    expect(badDelivery.status).toBe(422);
    expect(JSON.stringify(badDelivery.body)).toContain("promptDelivery");

    const agent = await printerAgent("patched");
    const patched = await t.api.patch(`/api/agents/${agent}`, { adapterConfig: { command: process.execPath, args: "-e console.log(1)" } });
    expect(patched.status).toBe(422);
  });
});
