import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { getAdapter, listAdapterTypes } from "../../adapters/registry.js";
import { conflict, notFound, unprocessable } from "../../core/errors.js";
import { NOT_INVOKABLE_STATUSES, buildWakeRequest } from "../../core/wakeups.js";
import { getAgent, getAgentInCompany, insertAgent, listAgents } from "../../db/queries/agents.js";
import { getCompany } from "../../db/queries/companies.js";
import { getRun } from "../../db/queries/runs.js";
import { clampConcurrency } from "../../workflows/wake-queue.js";
import type { ApiDeps } from "../deps.js";
import { idParam, parseOrThrow } from "../validation.js";

const jsonObject = z.record(z.string(), z.unknown());

export const createAgentSchema = z
  .object({
    name: z.string().trim().min(1, "name is required").max(200),
    role: z.string().trim().min(1).max(64).default("general"),
    title: z.string().max(200).nullish(),
    icon: z.string().max(64).nullish(),
    reportsTo: z.string().uuid().nullish(),
    capabilities: z.string().max(10_000).nullish(),
    adapterType: z.string({ error: "adapterType is required" }).trim().min(1, "adapterType is required"),
    adapterConfig: jsonObject.default({}),
    runtimeConfig: jsonObject.default({}),
    budgetMonthlyCents: z.number().int().min(0).default(0),
    permissions: jsonObject.default({}),
    metadata: jsonObject.nullish(),
  })
  .strict();

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

const companyId = idParam("companyId", "Company not found");
const agentId = idParam("id", "Agent not found");

export function maxConcurrentRunsOf(runtimeConfig: unknown): number {
  const heartbeat = (runtimeConfig as { heartbeat?: { maxConcurrentRuns?: unknown } } | null)?.heartbeat;
  return clampConcurrency(heartbeat?.maxConcurrentRuns);
}

export function agentRoutes(app: FastifyInstance, { db, scheduler }: ApiDeps): void {
  app.get("/api/companies/:companyId/agents", async (req) => {
    const cid = companyId(req.params);
    if (!(await getCompany(db, cid))) throw notFound("Company not found");
    return listAgents(db, cid);
  });

  app.post("/api/companies/:companyId/agents", async (req, reply) => {
    const cid = companyId(req.params);
    const body = parseOrThrow(createAgentSchema, req.body ?? {});
    if (!(await getCompany(db, cid))) throw notFound("Company not found");
    const adapter = getAdapter(body.adapterType);
    if (!adapter) {
      throw unprocessable(`Unknown adapter type "${body.adapterType}"`, { code: "unknown_adapter_type", adapterTypes: listAdapterTypes() });
    }
    const problems = adapter.validateConfig(body.adapterConfig);
    if (problems.length > 0) {
      throw unprocessable(`Invalid adapterConfig for ${body.adapterType}: ${problems.map((p) => p.message).join("; ")}`, {
        code: "invalid_adapter_config",
        issues: problems,
      });
    }
    if (body.reportsTo && !(await getAgentInCompany(db, cid, body.reportsTo))) {
      throw unprocessable("reportsTo must name an agent of the same company", { code: "invalid_reports_to" });
    }
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
    return reply.status(201).send(agent);
  });

  app.get("/api/agents/:id", async (req) => {
    const agent = await getAgent(db, agentId(req.params));
    if (!agent) throw notFound("Agent not found");
    return agent;
  });

  const wake = async (id: string, rawBody: unknown) => {
    const body = parseOrThrow(wakeAgentSchema, rawBody ?? {});
    const agent = await getAgent(db, id);
    if (!agent) throw notFound("Agent not found");
    if (NOT_INVOKABLE_STATUSES.has(agent.status)) {
      throw conflict("Agent is not invokable in its current state", { status: agent.status });
    }
    const request = buildWakeRequest({ ...body, requestedByActorType: "user", requestedByActorId: "local-board" });
    const result = await scheduler.requestWakeup(
      { id: agent.id, companyId: agent.companyId, maxConcurrentRuns: maxConcurrentRunsOf(agent.runtimeConfig) },
      request,
    );
    const run = await getRun(db, result.runId);
    if (!run) throw new Error(`admitted run ${result.runId} has no row`);
    return { run, disposition: result.disposition };
  };

  app.post("/api/agents/:id/wakeup", async (req, reply) => {
    const { run, disposition } = await wake(agentId(req.params), req.body);
    return reply.status(202).header("x-switchboard-wake-disposition", disposition).send(run);
  });

  // Legacy alias: always an on-demand wake, empty body allowed.
  app.post("/api/agents/:id/heartbeat/invoke", async (req, reply) => {
    const { run, disposition } = await wake(agentId(req.params), { source: "on_demand" });
    return reply.status(202).header("x-switchboard-wake-disposition", disposition).send(run);
  });
}
