/**
 * Composition root: brings up Postgres (external or embedded), Temporal (external or a dev server),
 * the workers and the API according to config, and tears them down in reverse order.
 */
import fs from "node:fs";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../api/app.js";
import { useAdapterHome } from "../adapters/registry.js";
import type { SwitchboardConfig } from "../core/config.js";
import { createDb, type Db } from "../db/connection.js";
import { startEmbeddedPostgres } from "../db/embedded.js";
import { migrateToLatest } from "../db/migrate.js";
import { ensureTimerWorkflows } from "../core/agent-lifecycle.js";
import { loadInstanceKeys } from "../core/instance-keys.js";
import { ensureLocalBoardUser } from "../db/queries/users.js";
import { createAgentScheduler } from "../temporal/agent-scheduler.js";
import { ensureSearchAttributes } from "../temporal/search-attributes.js";
import { resolveTemporalCli } from "../temporal/cli-binary.js";
import { connectClient, connectWorker } from "../temporal/connection.js";
import { startDevServer } from "../temporal/dev-server.js";
import { installTemporalRuntime } from "../temporal/runtime-install.js";
import { createWorkers, type WorkerSet } from "../temporal/worker.js";

export const VERSION: string = JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;

export interface RuntimeOptions {
  log?: (line: string) => void;
  /** Pre-bundled workflow code (tests). */
  workflowBundle?: { codePath: string };
  /** Fastify request logging. */
  httpLogger?: boolean;
}

export interface Runtime {
  db: Db;
  apiUrl: string | undefined;
  temporalAddress: string;
  temporalUiUrl: string | undefined;
  app: FastifyInstance | undefined;
  workers: WorkerSet | undefined;
  stop(): Promise<void>;
}

export async function startRuntime(config: SwitchboardConfig, opts: RuntimeOptions = {}): Promise<Runtime> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const cleanups: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const fn of cleanups.reverse()) await fn().catch((e: unknown) => log(`shutdown: ${e instanceof Error ? e.message : String(e)}`));
  };
  try {
    fs.mkdirSync(config.home, { recursive: true });
    useAdapterHome(config.home, config.agentApiUrl);
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      const pg = await startEmbeddedPostgres({ dataDir: path.join(config.home, "postgres", "data"), port: config.embeddedPgPort, log });
      cleanups.push(() => pg.stop());
      databaseUrl = pg.url;
    }
    const db = createDb(databaseUrl);
    cleanups.push(() => db.destroy());
    await migrateToLatest(db);
    const keys = loadInstanceKeys(config);
    if (config.auth.deploymentMode === "local_trusted") await ensureLocalBoardUser(db);

    let temporalAddress = config.temporal.address;
    let temporalUiUrl: string | undefined;
    if (!temporalAddress) {
      const cliPath = await resolveTemporalCli({ explicitPath: config.temporal.cliPath, log });
      const server = await startDevServer({
        cliPath,
        dbFile: path.join(config.home, "temporal", "temporal.sqlite"),
        port: config.temporal.devServerPort,
        uiPort: config.temporal.devServerUiPort,
        namespace: config.temporal.namespace,
        logFile: path.join(config.home, "temporal", "temporal.log"),
      });
      cleanups.push(() => server.stop());
      temporalAddress = server.address;
      temporalUiUrl = server.uiUrl;
    }

    // API and worker both talk to agent workflows (the worker for budget stops), through one client.
    const { client, connection: clientConnection } = await connectClient(config.temporal, temporalAddress);
    cleanups.push(() => clientConnection.close());
    // Workflows upsert these; an unregistered one would wedge every workflow task.
    await ensureSearchAttributes(clientConnection, config.temporal.namespace);
    const scheduler = createAgentScheduler(client, config.temporal.taskQueue);

    let workers: WorkerSet | undefined;
    if (config.role !== "api") {
      installTemporalRuntime(config.logLevel === "debug" || config.logLevel === "trace" ? "INFO" : "WARN");
      const connection = await connectWorker(config.temporal, temporalAddress);
      cleanups.push(() => connection.close());
      workers = await createWorkers({
        connection,
        config,
        deps: { db, config, keys, scheduler },
        ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : {}),
      });
      const running = workers.run();
      running.catch((err: unknown) => log(`worker stopped: ${err instanceof Error ? err.message : String(err)}`));
      const w = workers;
      cleanups.push(() => w.shutdown());
    }

    let app: FastifyInstance | undefined;
    let apiUrl: string | undefined;
    if (config.role !== "worker") {
      app = await buildApp(
        { db, databaseUrl, scheduler, config, keys, version: VERSION },
        { logger: opts.httpLogger ? { level: config.logLevel } : false },
      );
      const a = app;
      cleanups.push(() => a.close());
      const address = await app.listen({ port: config.port, host: config.host });
      apiUrl = address.replace("0.0.0.0", "127.0.0.1");
      // One pass at boot (not a polling loop): agents with timers get their workflow if it is missing.
      ensureTimerWorkflows(db, scheduler).catch((err: unknown) => log(`could not start timer workflows: ${err instanceof Error ? err.message : String(err)}`));
    }
    return { db, apiUrl, temporalAddress, temporalUiUrl, app, workers, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
