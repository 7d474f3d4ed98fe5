/**
 * executeRun: the long activity that runs an agent through its adapter. It heartbeats while the
 * process lives (so a dead worker is noticed within the heartbeat timeout and the attempt retried
 * elsewhere), kills a stale process group left by a previous attempt, streams output to the run log,
 * and returns a small outcome (full output stays in the log store, not in Temporal history).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { ApplicationFailure, Context } from "@temporalio/activity";
import { getAdapter } from "../adapters/registry.js";
import { mintRunToken } from "../core/auth/run-token.js";
import type { AdapterExecutionResult } from "../adapters/types.js";
import { isAlive, killGroup } from "../adapters/utils/child-process.js";
import { resolveAdapterConfigSecrets, SecretResolutionError } from "../core/secrets/resolve-env.js";
import { SecretScrubber } from "../core/secrets/scrubber.js";
import type { Db } from "../db/connection.js";
import type { RunOutcome } from "../workflows/definitions.js";
import { costFrom, toOutcome } from "./outcome.js";
import { enrichWakeContext } from "./wake-context.js";
import { runCallbackFor } from "../core/runs/run-callback.js";
import type { ActivityDeps } from "./deps.js";
import { RunLogWriter } from "./log-writer.js";
import { withDbRetry } from "./retry-db.js";
import { resolveSession, sessionChangeFrom } from "./sessions.js";
import { mountRunSkills } from "./skills-delivery.js";

/** Heartbeat details: enough for the next attempt to find and kill what this one started. */
interface ExecHeartbeat {
  pid: number | null;
  host: string;
  bytes: number;
}

const HEARTBEAT_EVERY_MS = 1000;

export function createExecuteActivities({ db, config, keys }: ActivityDeps) {
  return {
    async executeRun({ runId }: { runId: string }): Promise<RunOutcome> {
      const ctx = Context.current();
      const attempt = ctx.info.attempt;
      const row = await withDbRetry(() =>
        db
        .selectFrom("heartbeat_runs")
        .innerJoin("agents", "agents.id", "heartbeat_runs.agentId")
        .select([
          "heartbeat_runs.status",
          "heartbeat_runs.contextSnapshot",
          "agents.id as agentId",
          "agents.companyId",
          "agents.name",
          "agents.adapterType",
          "agents.adapterConfig",
        ])
        .where("heartbeat_runs.id", "=", runId)
        .executeTakeFirst(),
      );
      if (!row) throw ApplicationFailure.nonRetryable(`run ${runId} not found`, "RunNotFound");
      const adapterConfig: unknown = row.adapterConfig ?? {};
      const adapter = getAdapter(row.adapterType);
      if (!adapter) throw ApplicationFailure.nonRetryable(`Unknown adapter type "${row.adapterType}"`, "AdapterConfigError");

      // Secret bindings are decrypted for this attempt only: the resolved config goes to the adapter and
      // nowhere else, and the values are scrubbed from the run's log and outcome.
      const secrets = await resolveRunSecrets(db, keys.secretsMasterKey, row.companyId, adapterConfig);
      const log = await RunLogWriter.open(db, runId, attempt, secrets.scrubber);
      const details: ExecHeartbeat = { pid: null, host: os.hostname(), bytes: 0 };
      if (attempt > 1) await recoverFromLostAttempt(ctx, log);

      // Without a configured cwd an agent works in its own home under the data directory — never in
      // the server's working directory, where it could read the server's files.
      const agentHome = path.join(config.home, "agents", row.agentId);
      fs.mkdirSync(agentHome, { recursive: true, mode: 0o700 });
      const context: Record<string, unknown> = {
        ...(await enrichWakeContext(db, row.companyId, (row.contextSnapshot ?? {}) as Record<string, unknown>)),
        paperclipApiUrl: config.agentApiUrl,
        paperclipWorkspace: { cwd: agentHome, source: "agent_home", agentHome },
      };
      const taskKey = typeof context.taskKey === "string" ? context.taskKey : null;
      const codec = adapter.module.sessionCodec;
      // Every attempt resumes the session the run started from (a lost attempt never stored one).
      const session = await withDbRetry(() => resolveSession(db, { companyId: row.companyId, agentId: row.agentId, adapterType: row.adapterType, taskKey }, context, codec));
      await withDbRetry(() =>
        db.updateTable("heartbeat_runs").set({ attempt, sessionIdBefore: session.displayId, updatedAt: sql`now()` }).where("id", "=", runId).execute(),
      );

      if (secrets.error) return failBeforeSpawn(db, runId, log, secrets.error, session.displayId, session.taskKey);

      // The run token: the agent's credential for this run only (refused once the run is terminal).
      const authToken = adapter.module.supportsLocalAgentJwt
        ? await mintRunToken({ agentId: row.agentId, companyId: row.companyId, runId, adapterType: row.adapterType }, keys.agentJwtSecret, config.auth.agentJwtTtlSec)
        : undefined;

      // Skills are copied into a run-private directory, recorded on the run, and removed in `finally`.
      const skills = await mountRunSkills({ db, home: config.home, runId, companyId: row.companyId, adapterType: row.adapterType, adapterConfig, log: (line) => log.write("system", line) });
      const beat = setInterval(() => {
        details.bytes = log.totalBytes;
        ctx.heartbeat(details);
      }, HEARTBEAT_EVERY_MS);
      ctx.heartbeat(details);
      let result: AdapterExecutionResult;
      try {
        result = await adapter.module.execute({
          runId,
          agent: { id: row.agentId, companyId: row.companyId, name: row.name, adapterType: row.adapterType, adapterConfig },
          runtime: {
            sessionId: typeof session.params?.sessionId === "string" ? session.params.sessionId : session.displayId,
            sessionParams: session.params,
            sessionDisplayId: session.displayId,
            taskKey: session.taskKey,
          },
          config: skills.applyTo(secrets.config),
          context,
          ...(authToken ? { authToken } : {}),
          ...(adapter.usesRunCallback ? { runCallback: runCallbackFor(runId, config.agentApiUrl, keys.agentJwtSecret) } : {}),
          signal: ctx.cancellationSignal,
          onLog: (stream, chunk) => log.write(stream, chunk),
          // The invocation card and structured events go to the run log as system lines (env values
          // are already redacted by the adapter; the scrubber removes any secret value left).
          onMeta: (meta) => log.write("system", `[switchboard] invocation ${JSON.stringify({ command: meta.command, args: meta.commandArgs, cwd: meta.cwd, notes: meta.commandNotes, env: meta.env })}\n`),
          onEvent: (event) => log.write("system", `[switchboard] event ${JSON.stringify(event).slice(0, 8192)}\n`),
          onSpawn: async ({ pid, startedAt }) => {
            details.pid = pid;
            ctx.heartbeat(details);
            // Informational only: the pid that matters for recovery travels in the heartbeat details.
            await withDbRetry(() => db.updateTable("heartbeat_runs").set({ processPid: pid, processStartedAt: startedAt, updatedAt: sql`now()` }).where("id", "=", runId).execute(), 5_000).catch(() => undefined);
          },
        });
      } catch (err) {
        // An adapter's exception text reaches Temporal history: it must not carry a value either.
        if (err instanceof Error && secrets.scrubber.active) {
          err.message = secrets.scrubber.scrubExcerpt(err.message);
          if (err.stack) err.stack = secrets.scrubber.scrubExcerpt(err.stack);
        }
        throw err;
      } finally {
        clearInterval(beat);
        skills.cleanup();
        await log.close();
        await withDbRetry(() => db.updateTable("heartbeat_runs").set({ logBytes: log.totalBytes }).where("id", "=", runId).execute());
      }
      result = secrets.scrubber.scrubDeep(result);
      const change = sessionChangeFrom(result, codec);
      const sessionIdAfter = change.action === "set" ? change.displayId : change.action === "clear" ? null : session.displayId;
      return { ...toOutcome(result, ctx.cancellationSignal.aborted, sessionIdAfter), session: change, taskKey: session.taskKey, cost: costFrom(result) };
    },
  };
}

interface RunSecrets {
  config: Record<string, unknown>;
  scrubber: SecretScrubber;
  error?: SecretResolutionError;
}

async function resolveRunSecrets(db: Db, masterKey: Buffer, companyId: string, adapterConfig: unknown): Promise<RunSecrets> {
  try {
    const resolved = await withDbRetry(() => resolveAdapterConfigSecrets(db, masterKey, companyId, adapterConfig));
    return { config: resolved.config, scrubber: new SecretScrubber(resolved.secretValues) };
  } catch (err) {
    if (err instanceof SecretResolutionError) return { config: {}, scrubber: SecretScrubber.none, error: err };
    throw err;
  }
}

/** A binding that cannot be resolved fails the run before any process starts (no retry: it would fail again). */
async function failBeforeSpawn(db: Db, runId: string, log: RunLogWriter, err: SecretResolutionError, sessionId: string | null, taskKey: string | null): Promise<RunOutcome> {
  await log.write("system", `[switchboard] run not started: ${err.message}\n`);
  await log.close();
  await withDbRetry(() => db.updateTable("heartbeat_runs").set({ logBytes: log.totalBytes }).where("id", "=", runId).execute());
  return {
    status: "failed",
    error: err.message,
    errorCode: err.code,
    exitCode: null,
    signal: null,
    usage: null,
    resultJson: null,
    sessionIdAfter: sessionId,
    stdoutExcerpt: null,
    stderrExcerpt: null,
    session: { action: "keep" },
    taskKey,
    cost: null,
  };
}

/** A previous attempt died with its worker: make sure its process group is gone, and say so in the log. */
async function recoverFromLostAttempt(ctx: Context, log: RunLogWriter): Promise<void> {
  const prev = ctx.info.heartbeatDetails as Partial<ExecHeartbeat> | undefined;
  let note = `[switchboard] attempt ${ctx.info.attempt}: the previous attempt stopped heartbeating (its worker died); starting the agent again\n`;
  if (prev?.pid && prev.host === os.hostname() && isAlive(prev.pid)) {
    killGroup(prev.pid, "SIGKILL");
    note += `[switchboard] killed leftover process group ${prev.pid}\n`;
  }
  await log.write("system", note);
}
