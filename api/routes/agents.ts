import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { z } from "zod";
import { getAdapter, listAdapterTypes } from "../../adapters/registry.js";
import { pauseAgent, resumeAgent, syncSchedule, terminateAgent, wakeAgent } from "../../core/agent-lifecycle.js";
import { notFound, unprocessable } from "../../core/errors.js";
import { hasTimer, parseHeartbeatPolicy } from "../../core/heartbeat-policy.js";
import { getAgent, getAgentInCompany, insertAgent, listAgents } from "../../db/queries/agents.js";
import { getCompany } from "../../db/queries/companies.js";
import { getRun } from "../../db/queries/runs.js";
import type { ApiDeps } from "../deps.js";
import { idParam, parseOrThrow } from "../validation.js";

const jsonObject = z.record(z.string(), z.unknown());

/** `runtimeConfig.heartbeat`: validated where Switchboard acts on it; unknown keys pass through. */
const heartbeatSchema = z
  .object({
    enabled: z.boolean().optional(),
    intervalSec: z.number().min(0, "intervalSec must be ≥ 0 (0 = no timer)").max(31 * 24 * 3600).optional(),
    maxConcurrentRuns: z.number().int().min(1, "maxConcurrentRuns must be between 1 and 10").max(10, "maxConcurrentRuns must be between 1 and 10").optional(),
    wakeOnDemand: z.boolean().optional(),
  })
  .passthrough();
const runtimeConfigSchema = z.object({ heartbeat: heartbeatSchema.optional() }).passthrough();

const agentFields = {
  name: z.string().trim().min(1, "name is required").max(200),
  role: z.string().trim().min(1).max(64),
  title: z.string().max(200).nullish(),
  icon: z.string().max(64).nullish(),
  reportsTo: z.string().uuid().nullish(),
  capabilities: z.string().max(10_000).nullish(),
  adapterType: z.string({ error: "adapterType is required" }).trim().min(1, "adapterType is required"),
  adapterConfig: jsonObject,
  runtimeConfig: runtimeConfigSchema,
  budgetMonthlyCents: z.number().int().min(0),
  permissions: jsonObject,
  metadata: jsonObject.nullish(),
};

export const createAgentSchema = z
  .object({
    ...agentFields,
    role: agentFields.role.default("general"),
    adapterConfig: agentFields.adapterConfig.default({}),
    runtimeConfig: agentFields.runtimeConfig.default({}),
    budgetMonthlyCents: agentFields.budgetMonthlyCents.default(0),
    permissions: agentFields.permissions.default({}),
  })
  .strict();

export const updateAgentSchema = z.object(agentFields).partial().strict();

/** Paperclip's `wakeAgentSchema`. */
export const wakeAgentSchema = z
  .object({
    source: z.enum(["timer", "assignment", "on_demand", "automation"]).default("on_demand"),
    triggerDetail: z.enum(["manual", "ping", "callback", "system"]).optional(),
    reason: z.string().max(200).nullish(),
    payload: jsonObject.nullish(),
    idempotencyKey: z.string().min(1).max(255).nullish(),
    forceFreshSession: z.boolean().optional(),
  })
  .strict();

const pauseSchema = z.object({ reason: z.string().max(500).nullish() }).strict();
const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });

const companyId = idParam("companyId", "Company not found");
const agentId = idParam("id", "Agent not found");

export function agentRoutes(app: FastifyInstance, { db, scheduler }: ApiDeps): void {
  const validateAdapter = (type: string, config: unknown) => {
    const adapter = getAdapter(type);
    if (!adapter) throw unprocessable(`Unknown adapter type "${type}"`, { code: "unknown_adapter_type", adapterTypes: listAdapterTypes() });
    const problems = adapter.validateConfig(config);
    if (problems.length > 0) {
      throw unprocessable(`Invalid adapterConfig for ${type}: ${problems.map((p) => p.message).join("; ")}`, { code: "invalid_adapter_config", issues: problems });
    }
  };
  const validateReportsTo = async (cid: string, self: string | null, reportsTo: string | null | undefined) => {
    if (!reportsTo) return;
    if (reportsTo === self || !(await getAgentInCompany(db, cid, reportsTo))) {
      throw unprocessable("reportsTo must name another agent of the same company", { code: "invalid_reports_to" });
    }
  };

  app.get("/api/companies/:companyId/agents", async (req) => {
    const cid = companyId(req.params);
    if (!(await getCompany(db, cid))) throw notFound("Company not found");
    return listAgents(db, cid);
  });

  app.post("/api/companies/:companyId/agents", async (req, reply) => {
    const cid = companyId(req.params);
    const body = parseOrThrow(createAgentSchema, req.body ?? {});
    if (!(await getCompany(db, cid))) throw notFound("Company not found");
    validateAdapter(body.adapterType, body.adapterConfig);
    await validateReportsTo(cid, null, body.reportsTo);
    const agent = await insertAgent(db, {
      companyId: cid,
      name: body.name,
      role: body.role,
      title: body.title ?? null,
      icon: body.icon ?? null,
      reportsTo: body.reportsTo ?? null,
      capabilities: body.capabilities ?? null,
      adapterType: body.adapterType,
      adapterConfig: body.adapterConfig as never,
      runtimeConfig: body.runtimeConfig as never,
      budgetMonthlyCents: body.budgetMonthlyCents,
      permissions: body.permissions as never,
      metadata: (body.metadata ?? null) as never,
    });
    // An agent with a timer needs its workflow now, not at its first wakeup.
    if (hasTimer(parseHeartbeatPolicy(agent.runtimeConfig))) await syncSchedule(scheduler, agent);
    return reply.status(201).send(agent);
  });

  app.get("/api/agents/:id", async (req) => {
    const agent = await getAgent(db, agentId(req.params));
    if (!agent) throw notFound("Agent not found");
    return agent;
  });

  app.patch("/api/agents/:id", async (req) => {
    const id = agentId(req.params);
    const body = parseOrThrow(updateAgentSchema, req.body ?? {});
    const current = await getAgent(db, id);
    if (!current) throw notFound("Agent not found");
    if (body.adapterType !== undefined || body.adapterConfig !== undefined) {
      validateAdapter(body.adapterType ?? current.adapterType, body.adapterConfig ?? current.adapterConfig);
    }
    await validateReportsTo(current.companyId, id, body.reportsTo);
    const { adapterConfig, runtimeConfig, permissions, metadata, ...plain } = body;
    const updated = await db
      .updateTable("agents")
      .set({
        ...plain,
        ...(adapterConfig !== undefined ? { adapterConfig: adapterConfig as never } : {}),
        ...(runtimeConfig !== undefined ? { runtimeConfig: runtimeConfig as never } : {}),
        ...(permissions !== undefined ? { permissions: permissions as never } : {}),
        ...(metadata !== undefined ? { metadata: metadata as never } : {}),
        updatedAt: sql`now()`,
      })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirstOrThrow();
    // A new interval or concurrency limit takes effect at once, without a restart.
    if (runtimeConfig !== undefined) await syncSchedule(scheduler, updated);
    return updated;
  });

  const wake = async (id: string, rawBody: unknown) => {
    const body = parseOrThrow(wakeAgentSchema, rawBody ?? {});
    const { result } = await wakeAgent(db, scheduler, id, { ...body, requestedByActorType: "user", requestedByActorId: "local-board" });
    if (!result.runId) {
      return { status: 202, headers: { "x-switchboard-wake-disposition": result.disposition }, body: { status: "skipped", reason: result.reason ?? null, wakeupRequestId: result.wakeupRequestId } };
    }
    const run = await getRun(db, result.runId);
    if (!run) throw new Error(`admitted run ${result.runId} has no row`);
    return { status: 202, headers: { "x-switchboard-wake-disposition": result.disposition }, body: run };
  };

  app.post("/api/agents/:id/wakeup", async (req, reply) => {
    const out = await wake(agentId(req.params), req.body);
    return reply.status(out.status).headers(out.headers).send(out.body);
  });

  // Legacy alias: always an on-demand wake, empty body allowed.
  app.post("/api/agents/:id/heartbeat/invoke", async (req, reply) => {
    const out = await wake(agentId(req.params), { source: "on_demand" });
    return reply.status(out.status).headers(out.headers).send(out.body);
  });

  app.post("/api/agents/:id/pause", async (req) => {
    const body = parseOrThrow(pauseSchema, req.body ?? {});
    return pauseAgent(db, scheduler, agentId(req.params), body.reason ?? null);
  });
  app.post("/api/agents/:id/resume", async (req) => resumeAgent(db, scheduler, agentId(req.params)));
  app.post("/api/agents/:id/terminate", async (req) => terminateAgent(db, scheduler, agentId(req.params)));

  app.get("/api/agents/:id/runtime-state", async (req) => {
    const id = agentId(req.params);
    if (!(await getAgent(db, id))) throw notFound("Agent not found");
    const state = await db.selectFrom("agent_runtime_state").selectAll().where("agentId", "=", id).executeTakeFirst();
    return state ?? { agentId: id, sessionId: null, totalInputTokens: 0, totalOutputTokens: 0, totalCachedInputTokens: 0, totalCostCents: 0, lastRunId: null, lastRunStatus: null, lastError: null };
  });

  app.get("/api/agents/:id/task-sessions", async (req) => {
    const id = agentId(req.params);
    if (!(await getAgent(db, id))) throw notFound("Agent not found");
    return db.selectFrom("agent_task_sessions").selectAll().where("agentId", "=", id).orderBy("updatedAt", "desc").execute();
  });

  /** Switchboard addition: the wake audit trail (why a wake was coalesced, skipped or refused). */
  app.get("/api/agents/:id/wakeup-requests", async (req) => {
    const id = agentId(req.params);
    const q = parseOrThrow(listQuery, req.query);
    if (!(await getAgent(db, id))) throw notFound("Agent not found");
    return db.selectFrom("agent_wakeup_requests").selectAll().where("agentId", "=", id).orderBy("requestedAt", "desc").orderBy("createdAt", "desc").limit(q.limit).execute();
  });
}
