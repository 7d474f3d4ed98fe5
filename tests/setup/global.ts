/**
 * Global test setup: one real Temporal dev server (SQLite file in a temp dir), one fresh database
 * (on DATABASE_URL's server, else an embedded Postgres), migrated once, and one workflow bundle.
 * Test files get their addresses through `inject()`.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bundleWorkflowCode } from "@temporalio/worker";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { createDb } from "../../db/connection.js";
import { migrateToLatest } from "../../db/migrate.js";
import { resolveTemporalCli } from "../../temporal/cli-binary.js";
import { startDevServer } from "../../temporal/dev-server.js";
import { workflowsPath } from "../../temporal/worker.js";
import { freePort } from "../helpers/ports.js";

declare module "vitest" {
  export interface ProvidedContext {
    temporalAddress: string;
    databaseUrl: string;
    workflowBundlePath: string;
    temporalCliPath: string;
  }
}

export default async function setup(project: TestProject) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-test-"));
  const cleanups: Array<() => Promise<unknown>> = [];

  const cliPath = await resolveTemporalCli({ explicitPath: process.env.TEMPORAL_CLI });
  const [server, bundle, database] = await Promise.all([
    startDevServer({
      cliPath,
      dbFile: path.join(tmp, "temporal.sqlite"),
      port: await freePort(),
      uiPort: 0,
      logFile: path.join(tmp, "temporal.log"),
    }),
    bundleWorkflowCode({ workflowsPath, logger: quietLogger }),
    createTestDatabase(tmp),
  ]);
  cleanups.push(() => server.stop(), database.drop);
  const bundlePath = path.join(tmp, "workflow-bundle.js");
  fs.writeFileSync(bundlePath, bundle.code);

  const db = createDb(database.url, { maxConnections: 2 });
  await migrateToLatest(db);
  await db.destroy();

  project.provide("temporalAddress", server.address);
  project.provide("databaseUrl", database.url);
  project.provide("workflowBundlePath", bundlePath);
  project.provide("temporalCliPath", cliPath);

  return async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
    fs.rmSync(tmp, { recursive: true, force: true });
  };
}

const quietLogger = {
  log() {},
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error(message: string, meta?: unknown) {
    console.error(message, meta);
  },
};

async function createTestDatabase(tmp: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `switchboard_test_${Date.now()}_${process.pid}`;
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const admin = new URL(serverUrl);
    const adminClient = new pg.Client({ connectionString: serverUrl });
    await adminClient.connect();
    await adminClient.query(`create database ${name}`);
    await adminClient.end();
    admin.pathname = `/${name}`;
    return {
      url: admin.toString(),
      drop: async () => {
        const c = new pg.Client({ connectionString: serverUrl });
        await c.connect();
        await c.query(`drop database if exists ${name} with (force)`);
        await c.end();
      },
    };
  }
  const { startEmbeddedPostgres } = await import("../../db/embedded.js");
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(tmp, "pg", "data"), port: await freePort(), database: name });
  return { url: embedded.url, drop: () => embedded.stop() };
}
