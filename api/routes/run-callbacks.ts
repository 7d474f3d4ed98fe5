/**
 * `POST /api/heartbeat-runs/:runId/callback?sig=…`: where a remote agent that took a run (the `http`
 * adapter's async mode) posts log lines and, once, its final result. The signed URL is the credential
 * (core/runs/run-callback.ts); the result becomes the run's outcome exactly as an adapter's would, and
 * is handed to the waiting run workflow, which records it.
 */
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { z } from "zod";
import { reportedResult } from "../../adapters/http/server/response.js";
import type { AdapterExecutionResult } from "../../adapters/types.js";
import { RunLogWriter } from "../../activities/log-writer.js";
import { costFrom, toOutcome } from "../../activities/outcome.js";
import { HEARTBEAT_TASK_KEY, sessionChangeFrom } from "../../activities/sessions.js";
import { conflict, notFound, unauthorized } from "../../core/errors.js";
import { verifyRunCallbackSignature } from "../../core/runs/run-callback.js";
import type { ApiDeps } from "../deps.js";
import { idParam, parseOrThrow } from "../validation.js";

const runId = idParam("runId", "Heartbeat run not found");

export const runCallbackQuery = z.object({ sig: z.string().min(1).max(200) });

const usageSchema = z.object({
  inputTokens: z.number().int().min(0).max(1e12).optional(),
  outputTokens: z.number().int().min(0).max(1e12).optional(),
  cachedInputTokens: z.number().int().min(0).max(1e12).optional(),
});

/** One object shape (documented as such); which fields are required depends on `type`. */
export const runCallbackBody = z
  .object({
    type: z.enum(["log", "result"], { error: 'type must be "log" (a log line) or "result" (the final result)' }),
    stream: z.enum(["stdout", "stderr"]).default("stdout"),
    chunk: z.string().min(1).max(256 * 1024).optional(),
    status: z.enum(["succeeded", "failed"]).optional(),
    summary: z.string().max(100_000).optional(),
    errorMessage: z.string().max(10_000).optional(),
    errorCode: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, "errorCode must be snake_case, at most 64 characters").optional(),
    usage: usageSchema.optional(),
    costUsd: z.number().min(0).max(1e6).optional(),
    model: z.string().max(200).optional(),
    provider: z.string().max(200).optional(),
    biller: z.string().max(200).optional(),
    billingType: z.string().max(64).optional(),
    sessionParams: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((b, ctx) => {
    if (b.type === "log" && b.chunk === undefined) ctx.addIssue({ code: "custom", path: ["chunk"], message: "a log post needs chunk (the text to append)" });
    if (b.type === "result" && b.status === undefined) ctx.addIssue({ code: "custom", path: ["status"], message: 'a result post needs status: "succeeded" or "failed"' });
  });

type ResultBody = z.infer<typeof runCallbackBody> & { status: "succeeded" | "failed" };

/** One writer at a time per run in this process: log appends take the next sequence number. */
const appendChains = new Map<string, Promise<unknown>>();
function serialised<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const next = (appendChains.get(key) ?? Promise.resolve()).then(fn, fn);
  const settled = next.catch(() => undefined);
  appendChains.set(key, settled);
  void settled.then(() => {
    if (appendChains.get(key) === settled) appendChains.delete(key);
  });
  return next;
}

function resultFrom(body: ResultBody): AdapterExecutionResult {
  const reported = reportedResult(body as unknown as Record<string, unknown>);
  const base: AdapterExecutionResult = { exitCode: body.status === "succeeded" ? 0 : null, signal: null, timedOut: false, ...reported, resultJson: { source: "callback", status: body.status } };
  if (body.status === "succeeded") return base;
  return { ...base, errorMessage: body.errorMessage?.trim() || "The remote agent reported a failure", errorCode: body.errorCode ?? "adapter_failed" };
}

export function runCallbackRoutes(app: FastifyInstance, { db, scheduler, keys }: ApiDeps): void {
  app.post(
    "/api/heartbeat-runs/:runId/callback",
    { config: { openapi: { summary: "A remote agent posts a log line or its final result to its run's signed callback URL (http adapter, async mode)", auth: "the signed callback URL (sig)", query: runCallbackQuery, body: runCallbackBody } } },
    async (req, reply) => {
      const id = runId(req.params);
      const { sig } = parseOrThrow(runCallbackQuery, req.query);
      if (!verifyRunCallbackSignature(id, sig, keys.agentJwtSecret)) throw unauthorized("Invalid callback signature for this run", { code: "invalid_callback_signature" });
      const body = parseOrThrow(runCallbackBody, req.body);
      const run = await db.selectFrom("heartbeat_runs").select(["id", "status", "attempt", "contextSnapshot", "resultJson"]).where("id", "=", id).executeTakeFirst();
      if (!run) throw notFound("Heartbeat run not found");
      if (run.status !== "running" && run.status !== "queued") throw conflict("The run has already finished", { code: "run_finished", status: run.status });

      if (body.type === "log" && body.chunk !== undefined) {
        const chunk = body.chunk;
        await serialised(id, async () => {
          const writer = await RunLogWriter.open(db, id, run.attempt ?? 1);
          await writer.write(body.stream, chunk.endsWith("\n") ? chunk : `${chunk}\n`);
          await writer.close();
          await db.updateTable("heartbeat_runs").set({ logBytes: writer.totalBytes }).where("id", "=", id).execute();
        });
        return reply.status(202).send({ accepted: true });
      }

      // First result wins: mark it on the row so a second post is a clear 409, not a silent no-op.
      const claimed = await db
        .updateTable("heartbeat_runs")
        .set({ resultJson: sql`coalesce(result_json, '{}'::jsonb) || jsonb_build_object('callbackReceivedAt', now())`, updatedAt: sql`now()` })
        .where("id", "=", id)
        .where("status", "in", ["queued", "running"])
        .where(sql<boolean>`not (coalesce(result_json, '{}'::jsonb) ? 'callbackReceivedAt')`)
        .returning("id")
        .executeTakeFirst();
      if (!claimed) throw conflict("A result was already posted for this run", { code: "callback_result_already_received" });

      const result = resultFrom(body as ResultBody);
      const context = (run.contextSnapshot ?? {}) as Record<string, unknown>;
      const change = sessionChangeFrom(result, undefined);
      const outcome = {
        ...toOutcome(result, false, change.action === "set" ? change.displayId : null),
        session: change,
        taskKey: typeof context.taskKey === "string" ? context.taskKey : HEARTBEAT_TASK_KEY,
        cost: costFrom(result),
      };
      const delivered = await scheduler.signalRunCallbackResult(id, outcome);
      if (!delivered) throw conflict("The run is no longer waiting for a result", { code: "run_finished" });
      return reply.status(202).send({ accepted: true, status: outcome.status });
    },
  );
}
