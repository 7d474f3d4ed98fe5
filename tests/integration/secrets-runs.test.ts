/**
 * Secrets in use: an agent bound to a secret receives the real value as an env var, while the value
 * stays out of the run log (even split across chunks), the run row, the activity log and the run's
 * Temporal history. Rotation reaches the next run; a pinned version stays; a missing, deleted or
 * foreign secret fails the run with secret_not_found before any process starts.
 */
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client, Connection } from "@temporalio/client";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { logText } from "../helpers/api-client.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";

let t: TestRuntime;
let connection: Connection;
let temporal: Client;
let companyId: string;

const sha256 = (v: string) => createHash("sha256").update(v).digest("hex");
const newValue = () => `sk-run-${randomBytes(16).toString("hex")}`;

/**
 * The agent: writes what it received to a file in its cwd (the proof it got the real value), then
 * prints the value in two writes 400 ms apart — separate chunks, so the scrubber must join them —
 * plus the value whole on stdout and stderr, and its sha256.
 */
const AGENT_SCRIPT = `
const fs = require("node:fs");
const v = process.env.API_TOKEN ?? "<unset>";
fs.writeFileSync("seen-token.txt", v);
process.stdout.write("token is " + v.slice(0, 9));
setTimeout(() => {
  process.stdout.write(v.slice(9) + " (split)\\n");
  console.log("whole " + v);
  console.error("stderr " + v);
  console.log("sha256=" + require("node:crypto").createHash("sha256").update(v).digest("hex"));
  console.log("plain=" + process.env.PLAIN_A + "," + process.env.PLAIN_B);
}, 400);
`;

async function createSecret(cid: string, name: string, value: string): Promise<string> {
  const res = await t.api.post(`/api/companies/${cid}/secrets`, { name, value });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function createBoundAgent(cid: string, name: string, tokenBinding: unknown) {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "sb-secret-agent-"));
  const agent = await t.api.createAgent(cid, {
    name,
    adapterConfig: {
      command: process.execPath,
      args: ["-e", AGENT_SCRIPT],
      cwd,
      env: { API_TOKEN: tokenBinding, PLAIN_A: "plain-a", PLAIN_B: { type: "plain", value: "plain-b" } },
    },
  });
  return { agent, cwd, seen: () => fs.readFileSync(path.join(cwd, "seen-token.txt"), "utf8") };
}

async function runOnce(agentId: string) {
  const run = await t.api.waitForRun((await t.api.wake(agentId)).id);
  const log = (await t.api.runLog(run.id)).content;
  return { run, log };
}

/** Every string and byte payload of a workflow's history, decoded, in one text. */
async function historyText(workflowId: string): Promise<string> {
  const history = await temporal.workflow.getHandle(workflowId).fetchHistory();
  const parts: string[] = [];
  const walk = (v: unknown, depth: number) => {
    if (depth > 40 || v === null || v === undefined) return;
    if (typeof v === "string") parts.push(v);
    else if (v instanceof Uint8Array) parts.push(Buffer.from(v).toString("utf8"));
    else if (Array.isArray(v)) v.forEach((x) => walk(x, depth + 1));
    else if (typeof v === "object") Object.values(v).forEach((x) => walk(x, depth + 1));
  };
  walk(history, 0);
  return parts.join("\n");
}

/** No trace of the value: neither whole nor a recognisable piece of it. */
function expectNoTrace(text: string, value: string) {
  expect(text).not.toContain(value);
  expect(text).not.toContain(value.slice(0, 12));
  expect(text).not.toContain(value.slice(-12));
}

beforeAll(async () => {
  t = await startTestRuntime();
  connection = await Connection.connect({ address: inject("temporalAddress") });
  temporal = new Client({ connection, namespace: t.config.temporal.namespace });
  companyId = (await t.api.createCompany("Secret Runs Inc")).id;
});
afterAll(async () => {
  await connection?.close();
  await t?.stop();
});

describe("a run with a secret_ref env binding", () => {
  it("gives the agent the real value and leaves no trace of it anywhere else", async () => {
    const value = newValue();
    const secretId = await createSecret(companyId, "API_TOKEN_MAIN", value);
    const { agent, seen } = await createBoundAgent(companyId, "secret-user", { type: "secret_ref", secretId });

    // The agent row keeps the reference, not the value.
    // (Read as text: the Kysely CamelCasePlugin rewrites nested jsonb keys on read.)
    const stored = await sql<{ config: string }>`select adapter_config::text as config from agents where id = ${agent.id}`.execute(t.runtime.db);
    expect(JSON.parse(stored.rows[0]!.config).env.API_TOKEN).toEqual({ type: "secret_ref", secretId });
    expect(JSON.stringify((await t.api.get(`/api/agents/${agent.id}`)).body)).not.toContain(value);

    const { run, log } = await runOnce(agent.id);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    expect(seen()).toBe(value);

    const stdout = logText(log, "stdout");
    expect(stdout).toContain(`sha256=${sha256(value)}\n`);
    expect(stdout).toContain("token is ***REDACTED*** (split)\n");
    expect(stdout).toContain("whole ***REDACTED***\n");
    expect(stdout).toContain("plain=plain-a,plain-b\n");
    expect(logText(log, "stderr")).toContain("stderr ***REDACTED***\n");
    expectNoTrace(log, value);

    // The run row (excerpts, result JSON) and the company's activity log.
    expectNoTrace(JSON.stringify((await t.api.get(`/api/heartbeat-runs/${run.id}`)).body), value);
    expectNoTrace(JSON.stringify((await t.api.get(`/api/companies/${companyId}/activity?limit=500`)).body), value);
    // Temporal: workflow inputs, activity results and failures of the run and of the agent workflow.
    expectNoTrace(await historyText(`run/${run.id}`), value);
    expectNoTrace(await historyText(`agent/${agent.id}`), value);
  });

  it("after a rotation the next run sees the new value; a pinned version keeps the old one", async () => {
    const v1 = newValue();
    const v2 = newValue();
    const secretId = await createSecret(companyId, "API_TOKEN_ROTATING", v1);
    const latest = await createBoundAgent(companyId, "follows-latest", { type: "secret_ref", secretId });
    const pinned = await createBoundAgent(companyId, "pinned-v1", { type: "secret_ref", secretId, version: 1 });

    expect((await runOnce(latest.agent.id)).run.status).toBe("succeeded");
    expect(latest.seen()).toBe(v1);

    expect((await t.api.post(`/api/secrets/${secretId}/rotate`, { value: v2 })).status).toBe(200);
    const after = await runOnce(latest.agent.id);
    expect(after.run.status).toBe("succeeded");
    expect(latest.seen()).toBe(v2);
    expect(logText(after.log, "stdout")).toContain(`sha256=${sha256(v2)}\n`);
    expectNoTrace(after.log, v2);

    const old = await runOnce(pinned.agent.id);
    expect(old.run.status).toBe("succeeded");
    expect(pinned.seen()).toBe(v1);
    expectNoTrace(old.log, v1);
  });

  it("a missing or foreign secret is refused on save; a deleted one fails the run with secret_not_found before the agent starts", async () => {
    const other = (await t.api.createCompany("Someone Else's Secrets")).id;
    const foreignSecret = await createSecret(other, "THEIRS", newValue());
    const doomedValue = newValue();
    const doomed = await createSecret(companyId, "SOON_DELETED", doomedValue);

    // A binding to a secret the company does not have is refused when the agent is saved …
    for (const [name, secretId] of [["missing-ref", "00000000-0000-4000-8000-000000000000"], ["foreign-ref", foreignSecret]] as const) {
      const refused = await t.api.post(`/api/companies/${companyId}/agents`, { name, role: "engineer", adapterType: "process", adapterConfig: { command: process.execPath, args: ["-e", "0"], env: { API_TOKEN: { type: "secret_ref", secretId } } } });
      expect(refused.status, name).toBe(422);
      expect(refused.body.code).toBe("secret_not_found");
    }
    // … and one whose secret was deleted after the agent was saved fails the run before it starts.
    const cases = [await createBoundAgent(companyId, "deleted-ref", { type: "secret_ref", secretId: doomed })];
    expect((await t.api.delete(`/api/secrets/${doomed}`)).status).toBe(200);

    for (const c of cases) {
      const { run, log } = await runOnce(c.agent.id);
      expect(run).toMatchObject({ status: "failed", errorCode: "secret_not_found" });
      expect(run.error).toMatch(/env API_TOKEN refers to secret .* which does not exist in this company/);
      expect(logText(log, "system")).toContain("[switchboard] run not started: env API_TOKEN");
      expect(fs.existsSync(path.join(c.cwd, "seen-token.txt"))).toBe(false);
    }
    const versionOneOfMissing = await createBoundAgent(companyId, "missing-version", { type: "secret_ref", secretId: await createSecret(companyId, "ONE_VERSION", newValue()), version: 7 });
    const { run } = await runOnce(versionOneOfMissing.agent.id);
    expect(run).toMatchObject({ status: "failed", errorCode: "secret_version_not_found" });
  });

  it("agent create and PATCH accept bindings and refuse malformed ones with 422", async () => {
    const secretId = await createSecret(companyId, "FOR_PATCH", newValue());
    const { agent } = await createBoundAgent(companyId, "patchable", "plain-string");
    const patched = await t.api.patch(`/api/agents/${agent.id}`, {
      adapterConfig: { command: process.execPath, args: ["-e", "0"], env: { API_TOKEN: { type: "secret_ref", secretId, version: "latest" } } },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    for (const bad of [{ type: "secret_ref" }, { type: "secret_ref", secretId: "nope" }, { type: "vault", path: "x" }, 42]) {
      const res = await t.api.post(`/api/companies/${companyId}/agents`, { name: "bad-binding", role: "engineer", adapterType: "process", adapterConfig: { command: "node", env: { API_TOKEN: bad } } });
      expect(res.status, JSON.stringify(bad)).toBe(422);
      expect(res.body.code).toBe("invalid_adapter_config");
    }
  });

  it("the master key file was created 0600 on first start and is reused after a restart", async () => {
    expect(fs.statSync(t.config.secrets.masterKeyFile).mode & 0o777).toBe(0o600);
    const value = newValue();
    const secretId = await createSecret(companyId, "SURVIVES_RESTART", value);
    const { agent, seen } = await createBoundAgent(companyId, "after-restart", { type: "secret_ref", secretId });

    // Same home (same key file), same task queue (the agent's workflow lives there).
    const home = t.config.home;
    const taskQueue = t.config.temporal.taskQueue;
    await t.stop();
    t = await startTestRuntime({ env: { SWITCHBOARD_HOME: home }, taskQueue });
    const { run } = await runOnce(agent.id);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    expect(seen()).toBe(value);
  });
});
