import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { z } from "zod";
import { getAdapter, isAdapterTypeDisabled, listAdapterTypes } from "../../adapters/registry.js";
import { pauseAgent, resumeAgent, syncSchedule, terminateAgent, wakeAgent } from "../../core/agent-lifecycle.js";
import { logActivity } from "../../core/activity-log.js";
import { applyBudgetEffects, noBudgetEffects } from "../../core/budgets/enforcement.js";
import { upsertBudgetPolicy } from "../../core/budgets/policy-upsert.js";
import { assertSecretRefsInCompany } from "../../core/secrets/store.js";
import { approvePendingAgent } from "../../core/approvals/pending-agent.js";
import { actorRef, type Actor } from "../../core/auth/actor.js";
import { assertBoard, assertCompanyAccess, assertRowAccess, assertSelfOrBoard } from "../../core/auth/authz.js";
import { assertMayCreateAgents } from "../../core/auth/permissions.js";
import { conflict, notFound, unprocessable } from "../../core/errors.js";
import { assertValidManager } from "../../core/org-chart.js";
import { hasTimer, parseHeartbeatPolicy } from "../../core/heartbeat-policy.js";
import { getAgent, insertAgent, listAgents } from "../../db/queries/agents.js";
import { getCompany } from "../../db/queries/companies.js";
import { getRun } from "../../db/queries/runs.js";
import type { Agent } from "../../db/schema.js";
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
  budgetMonthlyCents: z.number().int().min(0).max(2_147_483_647),
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

export const pauseAgentSchema = z.object({ reason: z.string().max(500).nullish() }).strict();
export const wakeupRequestsQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });

const companyId = idParam("companyId", "Company not found");
const agentId = idParam("id", "Agent not found");

/** A disabled type keeps running for the agents that have it, but no agent newly gets it. */
const assertAdapterTypeOffered = (type: string) => {
  if (isAdapterTypeDisabled(type)) throw unprocessable(`Adapter type "${type}" is disabled for new agents`, { code: "adapter_type_disabled", adapterTypes: listAdapterTypes() });
};
const validateAdapter = (type: string, config: unknown) => {
  const adapter = getAdapter(type);
  if (!adapter) throw unprocessable(`Unknown adapter type "${type}"`, { code: "unknown_adapter_type", adapterTypes: listAdapterTypes() });
  const problems = adapter.validateConfig(config);
  if (problems.length > 0) {
    throw unprocessable(`Invalid adapterConfig for ${type}: ${problems.map((p) => p.message).join("; ")}`, { code: "invalid_adapter_config", issues: problems });
  }
};

export function agentRoutes(app: FastifyInstance, { db, scheduler }: ApiDeps): void {
  const loadAgent = async (actor: Actor, params: unknown, access: "read" | "write" | "manage" = "read") =>
    assertRowAccess(actor, await getAgent(db, agentId(params)), "Agent", access);

  app.get("/api/companies/:companyId/agents", { config: { openapi: { summary: "List a company's agents", auth: "board or agent of the company" } } }, async (req) => {
    const cid = companyId(req.params);
    assertCompanyAccess(req.actor, cid);
    if (!(await getCompany(db, cid))) throw notFound("Company not found");
    return listAgents(db, cid);
  });

  app.post("/api/companies/:companyId/agents", { config: { openapi: { summary: "Create an agent", auth: "board, or an agent allowed to create agents", body: createAgentSchema } } }, async (req, reply) => {
    const cid = companyId(req.params);
    assertCompanyAccess(req.actor, cid, "write");
    await assertMayCreateAgents(db, req.actor, cid);
    const body = parseOrThrow(createAgentSchema, req.body ?? {});
    const company = await getCompany(db, cid);
    if (!company) throw notFound("Company not found");
    if (company.requireBoardApprovalForNewAgents) {
      throw conflict("This company requires board approval for new agents: use POST /api/companies/:companyId/agent-hires", { code: "board_approval_required" });
    }
    assertAdapterTypeOffered(body.adapterType);
    validateAdapter(body.adapterType, body.adapterConfig);
    await assertSecretRefsInCompany(db, cid, body.adapterConfig);
    await assertValidManager(db, cid, null, body.reportsTo);
    const agent = await db.transaction().execute(async (trx) => {
      const created = await insertAgent(trx, { companyId: cid, ...newAgentValues(body) });
      await logActivity(trx, { companyId: cid, actor: actorRef(req.actor), action: "agent.created", entityType: "agent", entityId: created.id, agentId: created.id, details: { name: created.name, role: created.role, adapterType: created.adapterType } });
      return created;
    });
    // An agent with a timer needs its workflow now, not at its first wakeup.
    if (hasTimer(parseHeartbeatPolicy(agent.runtimeConfig))) await syncSchedule(scheduler, agent);
    return reply.status(201).send(agent);
  });

  app.get("/api/agents/:id", { config: { openapi: { summary: "Get an agent", auth: "board or agent of the company" } } }, async (req) => loadAgent(req.actor, req.params));

  app.get("/api/agents/:id/config-revisions", { config: { openapi: { summary: "List an agent's config revisions (newest first)", auth: "board or agent of the company" } } }, async (req) => {
    const agent = await loadAgent(req.actor, req.params);
    return db.selectFrom("agent_config_revisions").selectAll().where("agentId", "=", agent.id).orderBy("createdAt", "desc").limit(200).execute();
  });

  app.patch("/api/agents/:id", { config: { openapi: { summary: "Update an agent", auth: "board (owner/admin), or the agent itself", body: updateAgentSchema } } }, async (req) =>
    updateAgent({ db, scheduler }, req.actor, await loadAgent(req.actor, req.params, "write"), req.body),
  );

  const wake = async (actor: Actor, params: unknown, rawBody: unknown) => {
    const agent = await loadAgent(actor, params, "write");
    assertSelfOrBoard(actor, agent.id, "Agent can only invoke itself");
    const body = parseOrThrow(wakeAgentSchema, rawBody ?? {});
    const ref = actorRef(actor);
    const { result } = await wakeAgent(db, scheduler, agent.id, { ...body, requestedByActorType: ref.actorType, requestedByActorId: ref.actorId });
    await logActivity(db, { companyId: agent.companyId, actor: ref, action: "heartbeat.invoked", entityType: "agent", entityId: agent.id, agentId: agent.id, runId: result.runId ?? ref.runId, details: { source: body.source, reason: body.reason ?? null, disposition: result.disposition } });
    if (!result.runId) {
      return { status: 202, headers: { "x-switchboard-wake-disposition": result.disposition }, body: { status: "skipped", reason: result.reason ?? null, wakeupRequestId: result.wakeupRequestId } };
    }
    const run = await getRun(db, result.runId);
    if (!run) throw new Error(`admitted run ${result.runId} has no row`);
    return { status: 202, headers: { "x-switchboard-wake-disposition": result.disposition }, body: run };
  };

  app.post("/api/agents/:id/wakeup", { config: { openapi: { summary: "Wake an agent: returns the queued or coalesced run (202)", auth: "board, or the agent itself", body: wakeAgentSchema } } }, async (req, reply) => {
    const out = await wake(req.actor, req.params, req.body);
    return reply.status(out.status).headers(out.headers).send(out.body);
  });

  // Legacy alias: always an on-demand wake, empty body allowed.
  app.post("/api/agents/:id/heartbeat/invoke", { config: { openapi: { summary: "Legacy alias: an on-demand wake (body ignored)", auth: "board, or the agent itself" } } }, async (req, reply) => {
    const out = await wake(req.actor, req.params, { source: "on_demand" });
    return reply.status(out.status).headers(out.headers).send(out.body);
  });

  const lifecycle = (action: "paused" | "resumed" | "terminated", run: (id: string, body: { reason?: string | null }) => Promise<unknown>) =>
    async (req: { actor: Actor; params: unknown; body: unknown }) => {
      assertBoard(req.actor);
      const agent = await loadAgent(req.actor, req.params, "manage");
      const body = parseOrThrow(pauseAgentSchema, req.body ?? {});
      const result = await run(agent.id, body);
      await logActivity(db, { companyId: agent.companyId, actor: actorRef(req.actor), action: `agent.${action}`, entityType: "agent", entityId: agent.id, agentId: agent.id, details: body.reason ? { reason: body.reason } : null });
      return result;
    };
  app.post("/api/agents/:id/pause", { config: { openapi: { summary: "Pause an agent", auth: "board (owner/admin)", body: pauseAgentSchema } } }, lifecycle("paused", (id, body) => pauseAgent(db, scheduler, id, body.reason ?? null)));
  app.post("/api/agents/:id/resume", { config: { openapi: { summary: "Resume a paused agent", auth: "board (owner/admin)", body: pauseAgentSchema } } }, lifecycle("resumed", (id) => resumeAgent(db, scheduler, id)));
  app.post("/api/agents/:id/terminate", { config: { openapi: { summary: "Terminate an agent", auth: "board (owner/admin)", body: pauseAgentSchema } } }, lifecycle("terminated", (id) => terminateAgent(db, scheduler, id)));

  /** Board: activate a pending hire (resolves its open hire approval, which wakes the requester). */
  app.post("/api/agents/:id/approve", { config: { openapi: { summary: "Approve a pending_approval agent (resolves its hire approval)", auth: "board (owner/admin)" } } }, async (req) => {
    const actor = req.actor;
    assertBoard(actor);
    const agent = await loadAgent(actor, req.params, "manage");
    if (agent.status !== "pending_approval") throw conflict("Only pending approval agents can be approved", { code: "agent_not_pending", status: agent.status });
    return approvePendingAgent(db, scheduler, agent, { by: actorRef(actor), decidedByUserId: actor.userId, decisionNote: null });
  });

  app.get("/api/agents/:id/runtime-state", { config: { openapi: { summary: "An agent's session and token totals", auth: "board or agent of the company" } } }, async (req) => {
    const id = (await loadAgent(req.actor, req.params)).id;
    const state = await db.selectFrom("agent_runtime_state").selectAll().where("agentId", "=", id).executeTakeFirst();
    return state ?? { agentId: id, sessionId: null, totalInputTokens: 0, totalOutputTokens: 0, totalCachedInputTokens: 0, totalCostCents: 0, lastRunId: null, lastRunStatus: null, lastError: null };
  });

  app.get("/api/agents/:id/task-sessions", { config: { openapi: { summary: "An agent's per-task sessions", auth: "board or agent of the company" } } }, async (req) => {
    const id = (await loadAgent(req.actor, req.params)).id;
    return db.selectFrom("agent_task_sessions").selectAll().where("agentId", "=", id).orderBy("updatedAt", "desc").execute();
  });

  /** Switchboard addition: the wake audit trail (why a wake was coalesced, skipped or refused). */
  app.get("/api/agents/:id/wakeup-requests", { config: { openapi: { summary: "The wake audit trail: queued, coalesced, skipped or refused wakes", auth: "board or agent of the company", query: wakeupRequestsQuery } } }, async (req) => {
    const id = (await loadAgent(req.actor, req.params)).id;
    const q = parseOrThrow(wakeupRequestsQuery, req.query);
    return db.selectFrom("agent_wakeup_requests").selectAll().where("agentId", "=", id).orderBy("requestedAt", "desc").orderBy("createdAt", "desc").limit(q.limit).execute();
  });
}

/** How an update is recorded: PATCH by default; other routes that change an agent's config name themselves. */
export interface AgentUpdateAudit {
  revisionSource: string;
  action: string;
  details?: Record<string, unknown>;
}

/**
 * `PATCH /api/agents/:id` after the agent is loaded: access, validation, the update, its config
 * revision and activity row in one transaction, then budget and schedule effects. Other routes that
 * change an agent (skills sync) go through here, so they are checked and recorded the same way.
 */
export async function updateAgent(
  { db, scheduler }: Pick<ApiDeps, "db" | "scheduler">,
  actor: Actor,
  current: Agent,
  rawBody: unknown,
  audit: AgentUpdateAudit = { revisionSource: "patch", action: "agent.updated" },
): Promise<Agent> {
  const id = current.id;
  // Agents may edit themselves (not their permissions); the board edits anyone it manages.
  if (actor.type === "agent") assertSelfOrBoard(actor, id, "Agent can only update itself");
  else assertCompanyAccess(actor, current.companyId, "manage", "Agent");
  const body = parseOrThrow(updateAgentSchema, rawBody ?? {});
  if (actor.type === "agent" && body.permissions !== undefined) throw forbiddenPermissions();
  if (body.adapterType !== undefined && body.adapterType !== current.adapterType) assertAdapterTypeOffered(body.adapterType);
  if (body.adapterType !== undefined || body.adapterConfig !== undefined) {
    validateAdapter(body.adapterType ?? current.adapterType, body.adapterConfig ?? current.adapterConfig);
    if (body.adapterConfig !== undefined) await assertSecretRefsInCompany(db, current.companyId, body.adapterConfig);
  }
  await assertValidManager(db, current.companyId, id, body.reportsTo);
  const { adapterConfig, runtimeConfig, permissions, metadata, ...plain } = body;
  let budgetEffects = noBudgetEffects();
  const updated = await db.transaction().execute(async (trx) => {
    const row = await trx
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
    const changedKeys = Object.keys(body).filter((k) => JSON.stringify((current as Record<string, unknown>)[k]) !== JSON.stringify((row as Record<string, unknown>)[k]));
    if (changedKeys.length > 0) {
      await trx
        .insertInto("agent_config_revisions")
        .values({
          companyId: row.companyId,
          agentId: id,
          createdByAgentId: actor.type === "agent" ? actor.agentId : null,
          createdByUserId: actor.type === "board" ? actor.userId : null,
          source: audit.revisionSource,
          changedKeys: JSON.stringify(changedKeys) as never, // pg would send a JS array as a Postgres array
          beforeConfig: configSnapshot(current) as never,
          afterConfig: configSnapshot(row) as never,
        })
        .execute();
    }
    await logActivity(trx, { companyId: row.companyId, actor: actorRef(actor), action: audit.action, entityType: "agent", entityId: id, agentId: id, details: { changedKeys, ...audit.details } });
    // A monthly budget set here is the same as PATCH /agents/:id/budgets: its policy follows.
    if (body.budgetMonthlyCents !== undefined && body.budgetMonthlyCents !== current.budgetMonthlyCents) {
      budgetEffects = (await upsertBudgetPolicy(trx, row.companyId, { scopeType: "agent", scopeId: id, amount: body.budgetMonthlyCents, windowKind: "calendar_month_utc" }, actorRef(actor))).effects;
    }
    return row;
  });
  await applyBudgetEffects(db, scheduler, budgetEffects);
  // A new interval or concurrency limit takes effect at once, without a restart.
  if (runtimeConfig !== undefined) await syncSchedule(scheduler, updated);
  return updated;
}

/** The agent row a validated create body describes (shared by direct create and hires). */
export function newAgentValues(body: z.infer<typeof createAgentSchema>) {
  return {
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
  };
}

/** What a config revision records: the fields that shape how the agent runs. */
function configSnapshot(agent: Record<string, unknown>) {
  const keys = ["name", "role", "title", "reportsTo", "capabilities", "adapterType", "adapterConfig", "runtimeConfig", "budgetMonthlyCents", "permissions"];
  return Object.fromEntries(keys.map((k) => [k, agent[k] ?? null]));
}

function forbiddenPermissions() {
  return unprocessable("Agents cannot change permissions; use PATCH /api/agents/:id/permissions as the board", { code: "permissions_not_patchable" });
}
