/**
 * Determinism guard. Committed histories of real agent and run workflows (tests/histories/*.json)
 * must replay against today's workflow code without a nondeterminism error; a change that breaks
 * running agents fails here. Regenerate after an intentional, patched() change with
 * `UPDATE_HISTORIES=1 npm test -- tests/integration/replay.test.ts` adds missing files (old files stay: they are the
 * histories still running in the field).
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { Worker } from "@temporalio/worker";
import { sql } from "kysely";
import { describe, expect, inject, it } from "vitest";
import { agentWorkflowId, runWorkflowId } from "../../workflows/definitions.js";
import { startTestRuntime } from "../helpers/harness.js";

const historiesDir = path.resolve("tests/histories");

// The CLI's JSON is the canonical history format (what `temporal workflow show -o json` gives operators).
// Existing files are never overwritten: they are the histories of code already in the field.
const save = (name: string, workflowId: string) => {
  const file = path.join(historiesDir, `${name}.json`);
  if (fs.existsSync(file)) return;
  const json = execFileSync(
    inject("temporalCliPath"),
    ["workflow", "show", "--workflow-id", workflowId, "--address", inject("temporalAddress"), "--output", "json"],
    { encoding: "utf8" },
  );
  fs.mkdirSync(historiesDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ workflowId, history: JSON.parse(json) }, null, 1));
};

describe.runIf(process.env.UPDATE_HISTORIES === "1")("capturing histories", () => {
  it("records a run that waited for its issue's execution lock (patch issue-execution-lock)", async () => {
    const t = await startTestRuntime();
    try {
      const company = await t.api.createCompany("Replay Lock Co");
      const { rows } = await sql<{ id: string }>`insert into issues (company_id, title, status) values (${company.id}, 'locked', 'todo') returning id`.execute(t.runtime.db);
      const issueId = rows[0]!.id;
      const holder = await t.api.createAgent(company.id, { name: "holder", adapterConfig: { command: process.execPath, args: ["-e", "setTimeout(() => {}, 1500)"], cwd: os.tmpdir() } });
      const waiter = await t.api.createAgent(company.id, { name: "waiter", adapterConfig: { command: "/bin/true", args: [], cwd: os.tmpdir() } });
      const first = await t.api.wake(holder.id, { payload: { issueId } });
      await t.api.waitForRun(first.id, 10_000, (r) => r.status === "running");
      const second = await t.api.wake(waiter.id, { payload: { issueId } });
      await t.api.waitForRun(second.id, 15_000);
      save("run-issue-lock-wait", runWorkflowId(second.id));
    } finally {
      await t.stop();
    }
  });


  it("records an http run that waited for its async callback (patch http-async-callback)", async () => {
    const endpoint = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { callback: { url: string } };
        res.writeHead(202).end();
        setTimeout(() => void fetch(body.callback.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ type: "result", status: "succeeded", summary: "done" }) }), 300);
      });
    });
    await new Promise<void>((r) => endpoint.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}`;
    process.env.PAPERCLIP_HTTP_ADAPTER_PRIVATE_ENDPOINT_ALLOWLIST = base;
    const t = await startTestRuntime();
    try {
      const company = await t.api.createCompany("Replay Http Co");
      const agent = await t.api.createAgent(company.id, { name: "remote", adapterType: "http", adapterConfig: { url: `${base}/hook`, asyncCallback: true, callbackTimeoutSec: 30 } });
      const run = await t.api.waitForRun((await t.api.wake(agent.id)).id, 20_000);
      expect(run.status).toBe("succeeded");
      save("run-http-async-callback", runWorkflowId(run.id));
    } finally {
      delete process.env.PAPERCLIP_HTTP_ADAPTER_PRIVATE_ENDPOINT_ALLOWLIST;
      endpoint.close();
      await t.stop();
    }
  });

  it("records an agent workflow and its run workflows", async () => {
    const t = await startTestRuntime();
    try {
      const company = await t.api.createCompany("Replay Co");
      const agent = await t.api.createAgent(company.id, {
        name: "replayed",
        adapterConfig: { command: process.execPath, args: ["-e", "setTimeout(() => console.log('ok'), 700)"], cwd: os.tmpdir() },
      });
      const first = await t.api.wake(agent.id); // starts at once
      const second = await t.api.wake(agent.id, { payload: { taskKey: "t1" } }); // queued behind it
      const merged = await t.api.wake(agent.id, { payload: { taskKey: "t1" } }); // coalesced into second
      const keyed = await t.api.wake(agent.id, { payload: { taskKey: "t2" }, idempotencyKey: "k-1" });
      const again = await t.api.wake(agent.id, { payload: { taskKey: "t2" }, idempotencyKey: "k-1" }); // duplicate
      expect(merged.id).toBe(second.id);
      expect(again.id).toBe(keyed.id);
      for (const r of [first, second, keyed]) await t.api.waitForRun(r.id);

      // A run whose adapter disappeared: exercises the workflow's failure mapping.
      const broken = await t.api.createAgent(company.id, { name: "broken", adapterConfig: { command: "/bin/true", args: [], cwd: os.tmpdir() } });
      await sql`update agents set adapter_type = 'vanished' where id = ${broken.id}`.execute(t.runtime.db);
      const failed = await t.api.waitForRun((await t.api.wake(broken.id)).id);
      expect(failed.errorCode).toBe("adapter_config_invalid");

      save("agent-coalesce-dedupe", agentWorkflowId(agent.id));
      save("run-succeeded", runWorkflowId(first.id));
      save("run-adapter-missing", runWorkflowId(failed.id));
    } finally {
      await t.stop();
    }
  });
});

describe("replaying committed histories", () => {
  // Listed when the tests run, not at collection, so a capture in the same run is included.
  const historyFiles = () => (fs.existsSync(historiesDir) ? fs.readdirSync(historiesDir).filter((f) => f.endsWith(".json")) : []);

  it("has histories of both workflow types to replay", () => {
    const files = historyFiles();
    expect(files.some((f) => f.startsWith("agent-"))).toBe(true);
    expect(files.some((f) => f.startsWith("run-"))).toBe(true);
  });

  it("replays every one of them without a determinism error", async () => {
    const files = historyFiles();
    const histories = files.map((f) => {
      const { workflowId, history } = JSON.parse(fs.readFileSync(path.join(historiesDir, f), "utf8"));
      return { workflowId: `${f}:${workflowId}`, history };
    });
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: inject("workflowBundlePath") } }, histories)) {
      replayed++;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBe(files.length);
  });
});
