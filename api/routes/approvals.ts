/**
 * Approvals (Paperclip §7.1): filed by the board or an agent, decided by the board (owner/admin),
 * sent back for revision and resubmitted by the requesting agent, discussed in comments, and
 * linked to issues. Approving wakes the requesting agent; rejecting does not.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { actorRef, type Actor } from "../../core/auth/actor.js";
import { assertBoard, assertCompanyAccess, assertRowAccess, type CompanyAccess } from "../../core/auth/authz.js";
import { addApprovalComment, createApproval, presentApproval } from "../../core/approvals/create.js";
import { decideApproval, requestRevision, resubmitApproval } from "../../core/approvals/decisions.js";
import { loadIssueByRef, resolveIssueIds } from "../../core/approvals/issue-refs.js";
import { APPROVAL_STATUSES, APPROVAL_TYPES, type Decision } from "../../core/approvals/model.js";
import { linkApprovalToIssue, unlinkApprovalFromIssue } from "../../core/approvals/issue-links.js";
import { getApproval, listApprovals, listApprovalsForIssue, listComments, listIssuesForApproval } from "../../core/approvals/store.js";
import { forbidden, notFound, unprocessable } from "../../core/errors.js";
import { getAgentInCompany } from "../../db/queries/agents.js";
import { getCompany } from "../../db/queries/companies.js";
import type { ApiDeps } from "../deps.js";
import { idParam, parseOrThrow } from "../validation.js";

const jsonObject = z.record(z.string(), z.unknown());
/** An issue id or identifier (`ABC-12`). */
export const issueRefSchema = z.string().trim().min(1).max(64);

export const createApprovalSchema = z
  .object({
    type: z.enum(APPROVAL_TYPES),
    requestedByAgentId: z.string().uuid().nullish(),
    payload: jsonObject,
    issueIds: z.array(issueRefSchema).max(100).optional(),
    idempotencyKey: z.string().min(1).max(255).nullish(),
  })
  .strict();

export const decideApprovalSchema = z.object({ decisionNote: z.string().max(20_000).nullish() }).strict();
export const resubmitApprovalSchema = z.object({ payload: jsonObject.optional() }).strict();
export const addApprovalCommentSchema = z.object({ body: z.string().trim().min(1, "body is required").max(50_000) }).strict();
export const linkIssueApprovalSchema = z.object({ approvalId: z.string().uuid() }).strict();
export const listApprovalsQuery = z.object({ status: z.enum(APPROVAL_STATUSES).optional(), type: z.enum(APPROVAL_TYPES).optional() });

const companyId = idParam("companyId", "Company not found");
const approvalId = idParam("id", "Approval not found");
const linkedApprovalId = idParam("approvalId", "Approval not found");
const issueRef = (params: unknown) => String((params as Record<string, unknown> | undefined)?.id ?? "");

export function approvalRoutes(app: FastifyInstance, { db, scheduler }: ApiDeps): void {
  const loadApproval = async (actor: Actor, params: unknown, access: CompanyAccess = "read") =>
    assertRowAccess(actor, await getApproval(db, approvalId(params)), "Approval", access);

  app.get("/api/companies/:companyId/approvals", { config: { openapi: { summary: "List approvals in a company (open ones first)", auth: "board or agent of the company", query: listApprovalsQuery } } }, async (req) => {
    const cid = companyId(req.params);
    assertCompanyAccess(req.actor, cid);
    const q = parseOrThrow(listApprovalsQuery, req.query ?? {});
    if (!(await getCompany(db, cid))) throw notFound("Company not found");
    return (await listApprovals(db, cid, q)).map(presentApproval);
  });

  app.post("/api/companies/:companyId/approvals", { config: { openapi: { summary: "Create an approval (an agent files for itself)", auth: "board (write) or agent of the company", body: createApprovalSchema } } }, async (req, reply) => {
    const cid = companyId(req.params);
    const actor = req.actor;
    assertCompanyAccess(actor, cid, "write");
    const body = parseOrThrow(createApprovalSchema, req.body ?? {});
    if (!(await getCompany(db, cid))) throw notFound("Company not found");
    let requestedByAgentId = body.requestedByAgentId ?? null;
    if (actor.type === "agent") {
      // An agent files approvals only for itself: the requester is the one woken on approval.
      if (requestedByAgentId && requestedByAgentId !== actor.agentId) throw forbidden("Agent can only request approvals as itself");
      requestedByAgentId = actor.agentId;
    } else if (requestedByAgentId && !(await getAgentInCompany(db, cid, requestedByAgentId))) {
      throw unprocessable("requestedByAgentId must name an agent of this company", { code: "unknown_agent" });
    }
    const issueIds = await resolveIssueIds(db, cid, body.issueIds ?? []);
    const approval = await createApproval(db, { companyId: cid, type: body.type, requestedByAgentId, payload: body.payload, issueIds, by: actorRef(actor) });
    return reply.status(201).send(presentApproval(approval));
  });

  app.get("/api/approvals/:id", { config: { openapi: { summary: "Get an approval", auth: "board or agent of the company" } } }, async (req) => presentApproval(await loadApproval(req.actor, req.params)));

  app.get("/api/approvals/:id/issues", { config: { openapi: { summary: "List issues linked to an approval", auth: "board or agent of the company" } } }, async (req) => {
    const approval = await loadApproval(req.actor, req.params);
    return listIssuesForApproval(db, approval.id);
  });

  const decide = (decision: Decision) => async (req: { actor: Actor; params: unknown; body: unknown }) => {
    const actor = req.actor;
    assertBoard(actor);
    const approval = await loadApproval(actor, req.params, "manage");
    const body = parseOrThrow(decideApprovalSchema, req.body ?? {});
    const result = await decideApproval(db, scheduler, approval.id, decision, { by: actorRef(actor), decidedByUserId: actor.userId, decisionNote: body.decisionNote ?? null });
    return { ...presentApproval(result.approval), applied: result.applied };
  };
  app.post("/api/approvals/:id/approve", { config: { openapi: { summary: "Approve (from pending or revision_requested; again = applied:false); wakes the requester", auth: "board (owner/admin)", body: decideApprovalSchema } } }, decide("approved"));
  app.post("/api/approvals/:id/reject", { config: { openapi: { summary: "Reject (from pending or revision_requested; again = applied:false)", auth: "board (owner/admin)", body: decideApprovalSchema } } }, decide("rejected"));

  app.post("/api/approvals/:id/request-revision", { config: { openapi: { summary: "Send a pending approval back for revision", auth: "board (owner/admin)", body: decideApprovalSchema } } }, async (req) => {
    const actor = req.actor;
    assertBoard(actor);
    const approval = await loadApproval(actor, req.params, "manage");
    const body = parseOrThrow(decideApprovalSchema, req.body ?? {});
    return presentApproval(await requestRevision(db, approval.id, { by: actorRef(actor), decidedByUserId: actor.userId, decisionNote: body.decisionNote ?? null }));
  });

  app.post("/api/approvals/:id/resubmit", { config: { openapi: { summary: "Resubmit after a revision request", auth: "the requesting agent, or the board", body: resubmitApprovalSchema } } }, async (req) => {
    const actor = req.actor;
    const approval = await loadApproval(actor, req.params, "write");
    if (actor.type === "agent" && actor.agentId !== approval.requestedByAgentId) throw forbidden("Only requesting agent can resubmit this approval");
    const body = parseOrThrow(resubmitApprovalSchema, req.body ?? {});
    return presentApproval(await resubmitApproval(db, approval.id, actorRef(actor), body.payload));
  });

  app.get("/api/approvals/:id/comments", { config: { openapi: { summary: "List approval comments", auth: "board or agent of the company" } } }, async (req) => {
    const approval = await loadApproval(req.actor, req.params);
    return listComments(db, approval.id);
  });

  app.post("/api/approvals/:id/comments", { config: { openapi: { summary: "Add a comment to an approval", auth: "board (write) or agent of the company", body: addApprovalCommentSchema } } }, async (req, reply) => {
    const approval = await loadApproval(req.actor, req.params, "write");
    const body = parseOrThrow(addApprovalCommentSchema, req.body ?? {});
    return reply.status(201).send(await addApprovalComment(db, approval, body.body, actorRef(req.actor)));
  });

  // Issue side of the link table. `:id` may be an identifier such as ABC-12.
  app.get("/api/issues/:id/approvals", { config: { openapi: { summary: "List the approvals linked to an issue (id or identifier)", auth: "board or agent of the company" } } }, async (req) => {
    const issue = await loadIssueByRef(db, req.actor, issueRef(req.params));
    return (await listApprovalsForIssue(db, issue.id)).map(presentApproval);
  });

  app.post("/api/issues/:id/approvals", { config: { openapi: { summary: "Link an approval to an issue", auth: "board (write) or agent of the company", body: linkIssueApprovalSchema } } }, async (req, reply) => {
    const issue = await loadIssueByRef(db, req.actor, issueRef(req.params), "write");
    const body = parseOrThrow(linkIssueApprovalSchema, req.body ?? {});
    const approval = await getApproval(db, body.approvalId);
    if (!approval || approval.companyId !== issue.companyId) throw notFound("Approval not found");
    await linkApprovalToIssue(db, issue, approval.id, actorRef(req.actor));
    return reply.status(201).send((await listApprovalsForIssue(db, issue.id)).map(presentApproval));
  });

  app.delete("/api/issues/:id/approvals/:approvalId", { config: { openapi: { summary: "Unlink an approval from an issue", auth: "board (write) or agent of the company" } } }, async (req) => {
    const issue = await loadIssueByRef(db, req.actor, issueRef(req.params), "write");
    const removed = await unlinkApprovalFromIssue(db, issue, linkedApprovalId(req.params), actorRef(req.actor));
    return { ok: true, removed };
  });
}
