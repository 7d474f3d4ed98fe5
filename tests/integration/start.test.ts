/**
 * The newcomer's path: `npm start` with nothing configured brings up embedded Postgres and a
 * Temporal dev server (SQLite) under one data directory, prints its URLs, serves wakeups, stops
 * cleanly on SIGTERM/SIGINT, and a second start keeps every row.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, inject, it } from "vitest";
import { isPortFree } from "../../temporal/dev-server.js";
import { ApiClient } from "../helpers/api-client.js";
import { freePort } from "../helpers/ports.js";

const home = fs.mkdtempSync(path.join(os.tmpdir(), "sb-start-"));
let current: ChildProcess | undefined;

afterAll(async () => {
  if (current && current.exitCode === null) current.kill("SIGKILL");
  fs.rmSync(home, { recursive: true, force: true });
});

async function start(env: Record<string, string>): Promise<{ child: ChildProcess; output: () => string }> {
  // Nothing inherited that would point at shared infrastructure: this is the embedded path.
  const { DATABASE_URL: _db, TEMPORAL_ADDRESS: _t, ...rest } = process.env;
  const child = spawn(process.execPath, ["--import", "tsx", path.resolve("cli/start.ts")], {
    env: { ...rest, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  current = child;
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not running after 120 s:\n${out}`)), 120_000);
    child.stdout?.on("data", () => out.includes("Press Ctrl-C to stop") && (clearTimeout(timer), resolve()));
    child.once("exit", (code) => (clearTimeout(timer), reject(new Error(`exited ${code}:\n${out}`))));
  });
  return { child, output: () => out };
}

function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.kill(signal);
  });
}

it("starts everything from nothing, survives a restart with its data, and stops cleanly", async () => {
  const ports = { api: await freePort(), pg: await freePort(), temporal: await freePort(), ui: await freePort() };
  const env = {
    SWITCHBOARD_HOME: home,
    PORT: String(ports.api),
    SWITCHBOARD_EMBEDDED_PG_PORT: String(ports.pg),
    SWITCHBOARD_TEMPORAL_PORT: String(ports.temporal),
    SWITCHBOARD_TEMPORAL_UI_PORT: String(ports.ui),
    TEMPORAL_CLI: inject("temporalCliPath"),
  };
  const first = await start(env);
  expect(first.output()).toContain(`API:          http://127.0.0.1:${ports.api}/api`);
  expect(first.output()).toContain(`Temporal UI:  http://127.0.0.1:${ports.ui}`);
  const api = new ApiClient(`http://127.0.0.1:${ports.api}`);
  expect((await api.get("/api/health")).body).toMatchObject({ status: "ok", checks: { database: "ok", temporal: "ok" } });
  expect((await fetch(`http://127.0.0.1:${ports.ui}/`)).status).toBe(200);

  const company = await api.createCompany("Persistent Co");
  const agent = await api.createAgent(company.id, { name: "p", adapterConfig: { command: "/bin/echo", args: ["persisted"], cwd: os.tmpdir() } });
  const run = await api.waitForRun((await api.wake(agent.id)).id);
  expect(run.status).toBe("succeeded");

  expect(await stop(first.child, "SIGTERM")).toBe(0);
  expect(first.output()).toContain("stopped");
  // Everything it started is gone with it: the ports are free again.
  for (const port of Object.values(ports)) expect(await isPortFree(port)).toBe(true);
  expect(fs.existsSync(path.join(home, "temporal", "temporal.sqlite"))).toBe(true);
  expect(fs.existsSync(path.join(home, "postgres", "data", "PG_VERSION"))).toBe(true);

  const second = await start(env);
  expect((await api.get(`/api/companies/${company.id}`)).body.name).toBe("Persistent Co");
  expect((await api.get(`/api/heartbeat-runs/${run.id}`)).body.status).toBe("succeeded");
  // The same agent workflow (kept in the SQLite file) takes the next wakeup.
  expect((await api.waitForRun((await api.wake(agent.id)).id)).status).toBe("succeeded");
  expect(await stop(second.child, "SIGINT")).toBe(0);
}, 300_000);
