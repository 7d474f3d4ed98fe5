/**
 * `POST /api/companies/:companyId/agent-hires`: how agents (the CEO, or any with `canCreateAgents`)
 * and the board add an agent in a company that may require board approval. Behind the gate the
 * agent waits as `pending_approval` with a `hire_agent` approval; otherwise it starts `idle`.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { syncSchedule } from "../../core/agent-lifecycle.js";
import { actorRef } from "../../core/auth/actor.js";
import { assertCompanyAccess } from "../../core/auth/authz.js";
import { assertMayCreateAgents } from "../../core/auth/permissions.js";
import { presentApproval } from "../../core/approvals/create.js";
import { assertRunnableAdapter, createHire } from "../../core/approvals/hire.js";
import { resolveIssueIds } from "../../core/approvals/issue-refs.js";
import { notFound } from "../../core/errors.js";
import { hasTimer, parseHeartbeatPolicy } from "../../core/heartbeat-policy.js";
import { assertValidManager } from "../../core/org-chart.js";
import { assertSecretRefsInCompany } from "../../core/secrets/store.js";
import { getCompany } from "../../db/queries/companies.js";
import type { ApiDeps } from "../deps.js";
import { idParam, parseOrThrow } from "../validation.js";
import { createAgentSchema, newAgentValues } from "./agents.js";
import { issueRefSchema } from "./approvals.js";

/** Agent create's body, plus the issues that motivated the hire (linked to the approval). */
export const createAgentHireSchema = createAgentSchema.extend({ sourceIssueIds: z.array(issueRefSchema).max(100).optional() }).strict();

const companyId = idParam("companyId", "Company not found");

export function agentHireRoutes(app: FastifyInstance, { db, scheduler }: ApiDeps): void {
  app.post("/api/companies/:companyId/agent-hires", { config: { openapi: { summary: "Hire an agent (pending board approval when the company requires it)", auth: "board (owner/admin), or an agent allowed to create agents", body: createAgentHireSchema } } }, async (req, reply) => {
    const cid = companyId(req.params);
    const actor = req.actor;
    assertCompanyAccess(actor, cid, "write");
    await assertMayCreateAgents(db, actor, cid);
    const { sourceIssueIds: issueRefs, ...body } = parseOrThrow(createAgentHireSchema, req.body ?? {});
    const company = await getCompany(db, cid);
    if (!company) throw notFound("Company not found");
    assertRunnableAdapter(body.adapterType, body.adapterConfig);
    await assertSecretRefsInCompany(db, cid, body.adapterConfig);
    await assertValidManager(db, cid, null, body.reportsTo);
    const sourceIssueIds = await resolveIssueIds(db, cid, issueRefs ?? []);
    const gated = company.requireBoardApprovalForNewAgents;
    const { agent, approval } = await db.transaction().execute((trx) =>
      createHire(trx, {
        companyId: cid,
        gated,
        sourceIssueIds,
        by: actorRef(actor),
        values: newAgentValues(body),
      }),
    );
    // An ungated hire is live at once: a timer agent needs its workflow now (as on agent create).
    if (!gated && hasTimer(parseHeartbeatPolicy(agent.runtimeConfig))) await syncSchedule(scheduler, agent);
    return reply.status(201).send({ agent, approval: approval ? presentApproval(approval) : null });
  });
}
