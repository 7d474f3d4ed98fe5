/**
 * Runs the core migration against a throwaway database, round-trips a few rows
 * through Kysely (CamelCasePlugin), checks a CHECK constraint, then migrates
 * down. Needs a reachable Postgres (DATABASE_URL or 127.0.0.1:5432, user postgres).
 */
import { randomBytes } from "node:crypto";

import { CamelCasePlugin, Kysely, Migrator, NO_MIGRATIONS, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { migrations, staticMigrationProvider } from "../../db/migrations/index.js";
import type { Database } from "../../db/schema.js";

const ADMIN_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

const EXPECTED_TABLES = [
  "companies",
  "agents",
  "agent_api_keys",
  "agent_config_revisions",
  "agent_runtime_state",
  "agent_task_sessions",
  "agent_wakeup_requests",
  "heartbeat_runs",
  "heartbeat_run_events",
  "heartbeat_run_log_chunks",
  "issues",
  "issue_comments",
  "labels",
  "issue_labels",
  "goals",
  "projects",
  "project_goals",
  "project_workspaces",
  "execution_workspaces",
  "approvals",
  "approval_comments",
  "issue_approvals",
  "cost_events",
  "finance_events",
  "budget_policies",
  "budget_incidents",
  "activity_log",
  "company_secrets",
  "company_secret_versions",
  "company_memberships",
  "principal_permission_grants",
  "instance_user_roles",
  "instance_settings",
  "board_api_keys",
  "company_skills",
  "documents",
  "document_revisions",
  "issue_documents",
  "issue_read_states",
  "users",
  "sessions",
].sort();

/** int8 -> number, like the app connection; scoped to this pool only. */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.INT8
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig["getTypeParser"],
};

const dbName = `sb_schema_${randomBytes(6).toString("hex")}`;
const testUrl = (() => {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  return url.toString();
})();

let db: Kysely<Database>;
let migrator: Migrator;

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function publicTables(): Promise<string[]> {
  const { rows } = await sql<{ tableName: string }>`
    select table_name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE'
      and table_name not like 'kysely_%'
    order by table_name`.execute(db);
  return rows.map((r) => r.tableName);
}

beforeAll(async () => {
  await withAdmin((c) => c.query(`create database "${dbName}"`));
  db = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: new pg.Pool({ connectionString: testUrl, max: 2, types }),
    }),
    plugins: [new CamelCasePlugin()],
  });
  migrator = new Migrator({ db, provider: staticMigrationProvider, allowUnorderedMigrations: true });
}, 30_000);

afterAll(async () => {
  await db?.destroy();
  await withAdmin((c) => c.query(`drop database if exists "${dbName}" with (force)`));
}, 30_000);

describe("core schema migration", () => {
  it("migrates up and creates every core table", async () => {
    const { error, results } = await migrator.migrateToLatest();
    expect(error).toBeUndefined();
    expect(results?.map((r) => [r.migrationName, r.status])).toEqual(Object.keys(migrations).sort().map((name) => [name, "Success"]));
    expect(results?.[0]?.migrationName).toBe("0001_core_schema");
    expect(await publicTables()).toEqual(EXPECTED_TABLES);
  });

  it("round-trips company, agent, wakeup, run and log chunk with defaults", async () => {
    const company = await db
      .insertInto("companies")
      .values({ name: "Acme", issuePrefix: "ACM" })
      .returningAll()
      .executeTakeFirstOrThrow();
    expect(company.status).toBe("active");
    expect(company.issueCounter).toBe(0);
    expect(company.createdAt).toBeInstanceOf(Date);

    const agent = await db
      .insertInto("agents")
      .values({ companyId: company.id, name: "CEO", adapterConfig: { command: "node" } })
      .returningAll()
      .executeTakeFirstOrThrow();
    expect(agent.status).toBe("idle");
    expect(agent.adapterConfig).toEqual({ command: "node" });
    expect(agent.runtimeConfig).toEqual({});
    expect(agent.permissions).toEqual({});
    expect(agent.reportsTo).toBeNull();

    const wakeup = await db
      .insertInto("agent_wakeup_requests")
      .values({
        companyId: company.id,
        agentId: agent.id,
        source: "on_demand",
        triggerDetail: "manual",
        idempotencyKey: "k1",
        payload: { issueId: null },
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    expect(wakeup.status).toBe("queued");
    expect(wakeup.coalescedCount).toBe(0);

    const run = await db
      .insertInto("heartbeat_runs")
      .values({
        companyId: company.id,
        agentId: agent.id,
        invocationSource: "on_demand",
        wakeupRequestId: wakeup.id,
        logStore: "postgres",
        contextSnapshot: { wakeReason: "manual" },
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    expect(run.status).toBe("queued");
    expect(run.logCompressed).toBe(false);
    expect(run.attempt).toBe(1);
    expect(run.processLossRetryCount).toBe(0);
    expect(run.contextSnapshot).toEqual({ wakeReason: "manual" });

    await db
      .updateTable("agent_wakeup_requests")
      .set({ runId: run.id, status: "claimed", claimedAt: new Date() })
      .where("id", "=", wakeup.id)
      .execute();

    const line = JSON.stringify({ ts: new Date().toISOString(), stream: "stdout", chunk: "hi\n" }) + "\n";
    await db
      .insertInto("heartbeat_run_log_chunks")
      .values({
        runId: run.id,
        seq: 0,
        stream: "stdout",
        byteOffset: 0,
        byteLength: Buffer.byteLength(line),
        content: line,
      })
      .execute();

    // Read back through a join, camelCase all the way.
    const row = await db
      .selectFrom("heartbeat_runs as r")
      .innerJoin("agent_wakeup_requests as w", "w.id", "r.wakeupRequestId")
      .innerJoin("heartbeat_run_log_chunks as c", "c.runId", "r.id")
      .select(["r.id", "w.runId", "w.status as wakeupStatus", "c.attempt", "c.byteLength", "c.content"])
      .where("r.id", "=", run.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      id: run.id,
      runId: run.id,
      wakeupStatus: "claimed",
      attempt: 1,
      byteLength: Buffer.byteLength(line),
      content: line,
    });

    // bigint columns come back as numbers.
    await db.updateTable("heartbeat_runs").set({ logBytes: 2 ** 40 }).where("id", "=", run.id).execute();
    const { logBytes } = await db
      .selectFrom("heartbeat_runs")
      .select("logBytes")
      .where("id", "=", run.id)
      .executeTakeFirstOrThrow();
    expect(logBytes).toBe(2 ** 40);

    // Partial unique index on (agent_id, idempotency_key).
    await expect(
      db
        .insertInto("agent_wakeup_requests")
        .values({ companyId: company.id, agentId: agent.id, source: "timer", idempotencyKey: "k1" })
        .execute(),
    ).rejects.toThrow(/agent_wakeup_requests_agent_idempotency_uq/);
    // ...which does not apply to null keys.
    await db
      .insertInto("agent_wakeup_requests")
      .values([
        { companyId: company.id, agentId: agent.id, source: "timer" },
        { companyId: company.id, agentId: agent.id, source: "timer" },
      ])
      .execute();
  });

  it("rejects an unknown run status via CHECK", async () => {
    const agent = await db
      .selectFrom("agents")
      .select(["id", "companyId"])
      .executeTakeFirstOrThrow();
    await expect(
      sql`insert into heartbeat_runs (company_id, agent_id, status)
          values (${agent.companyId}, ${agent.id}, 'exploded')`.execute(db),
    ).rejects.toMatchObject({ code: "23514" }); // check_violation
  });

  it("cascades company deletion to tenant rows", async () => {
    await db.deleteFrom("companies").execute();
    const counts = await Promise.all(
      (["agents", "agent_wakeup_requests", "heartbeat_runs", "heartbeat_run_log_chunks"] as const).map(
        async (t) =>
          Number(
            (await db.selectFrom(t).select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow()).n,
          ),
      ),
    );
    expect(counts).toEqual([0, 0, 0, 0]);
  });

  it("migrates down and removes every table", async () => {
    const { error, results } = await migrator.migrateTo(NO_MIGRATIONS);
    expect(error).toBeUndefined();
    expect(results?.map((r) => [r.migrationName, r.status])).toEqual(Object.keys(migrations).sort().reverse().map((name) => [name, "Success"]));
    expect(await publicTables()).toEqual([]);
  });
});
