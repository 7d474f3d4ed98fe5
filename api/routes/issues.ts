/**
 * Issues: create / list per company; get, patch, delete, checkout, release, comments and the
 * heartbeat context per issue. Every `:id` accepts a uuid or an identifier (`ABC-12`, any case).
 * Mutations commit first, then send the wakes they caused (core/issues/wakes.ts).
 */
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import { z } from "zod";
import type { Actor } from "../../core/auth/actor.js";
import { assertBoard, assertCompanyAccess, assertRowAccess, type CompanyAccess } from "../../core/auth/authz.js";
import { HttpError, notFound } from "../../core/errors.js";
import { checkoutIssue, releaseIssue } from "../../core/issues/checkout.js";
import { addComment } from "../../core/issues/comments.js";
import { heartbeatContext, issueDetail } from "../../core/issues/context.js";
import { createIssue } from "../../core/issues/create.js";
import { deleteIssue } from "../../core/issues/delete.js";
import { ISSUE_PRIORITIES, ISSUE_STATUSES } from "../../core/issues/rules.js";
import { updateIssue } from "../../core/issues/update.js";
import { sendIssueWakes, type IssueWake } from "../../core/issues/wakes.js";
import { getCompany } from "../../db/queries/companies.js";
import { findIssueByRef, getComment, ISSUE_SORT_FIELDS, listComments, listIssuesJson } from "../../db/queries/issues.js";
import type { IssueStatus } from "../../db/schema.js";
import type { ApiDeps } from "../deps.js";
import { IssueListCache } from "../issue-list-cache.js";
import { idParam, parseOrThrow } from "../validation.js";

const issueStatus = z.enum(ISSUE_STATUSES);
const optionalRef = z.string().uuid().nullish();

const issueFields = {
  title: z.string().trim().min(1, "title is required").max(500),
  description: z.string().max(100_000).nullish(),
  status: issueStatus.optional(),
  priority: z.enum(ISSUE_PRIORITIES).optional(),
  projectId: optionalRef,
  goalId: optionalRef,
  parentId: optionalRef,
  assigneeAgentId: optionalRef,
  assigneeUserId: z.string().trim().min(1).max(200).nullish(),
  billingCode: z.string().max(200).nullish(),
  requestDepth: z.number().int().min(0).max(1024).optional(),
  labelIds: z.array(z.string().uuid()).max(100).optional(),
};

export const createIssueSchema = z.object(issueFields).strict();

export const updateIssueSchema = z
  .object({
    ...issueFields,
    title: issueFields.title.optional(),
    /** Posted as a comment in the same transaction; the response carries it as `comment`. */
    comment: z.string().trim().min(1, "comment must not be empty").max(100_000).optional(),
    /** Moves a done/cancelled issue back to todo (unless `status` is given). */
    reopen: z.boolean().optional(),
  })
  .strict();

export const checkoutIssueSchema = z
  .object({
    agentId: z.string().uuid(),
    expectedStatuses: z.array(issueStatus).min(1, "expectedStatuses must name at least one status"),
  })
  .strict();

export const addCommentSchema = z
  .object({
    body: z.string().trim().min(1, "body is required").max(100_000),
    reopen: z.boolean().optional(),
  })
  .strict();

/** `?status=todo,in_progress` (repeated parameters are joined). */
const statusCsv = z.preprocess(
  (v) => (Array.isArray(v) ? v.join(",") : v),
  z.string().transform((raw, ctx) => {
    const parts = raw.split(",").map((s) => s.trim()).filter(Boolean);
    const unknown = parts.filter((p) => !(ISSUE_STATUSES as readonly string[]).includes(p));
    if (unknown.length > 0) {
      ctx.addIssue({ code: "custom", message: `Unknown status: ${unknown.join(", ")} (one of ${ISSUE_STATUSES.join(", ")})` });
      return z.NEVER;
    }
    return parts as IssueStatus[];
  }),
);

/** Paperclip clamps the page size instead of refusing it. */
const pageSize = (max: number) => z.coerce.number().int().min(1).transform((n) => Math.min(n, max));

export const listIssuesQuery = z.object({
  status: statusCsv.optional(),
  /** A uuid, or `me` for the calling agent. */
  assigneeAgentId: z.union([z.literal("me"), z.string().uuid()]).optional(),
  /** A user id, or `me` for the calling board user. */
  assigneeUserId: z.string().trim().min(1).max(200).optional(),
  projectId: z.string().uuid().optional(),
  parentId: z.string().uuid().optional(),
  goalId: z.string().uuid().optional(),
  q: z.string().trim().max(200).optional(),
  limit: pageSize(1000).default(500),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  sortField: z.enum(ISSUE_SORT_FIELDS).default("updatedAt"),
  sortDir: z.enum(["asc", "desc"]).default("desc"),
  updatedSince: z.coerce.date().optional(),
});

export const listCommentsQuery = z.object({
  after: z.string().uuid().optional(),
  order: z.enum(["asc", "desc"]).default("desc"),
  limit: pageSize(500).default(500),
});

export const heartbeatContextQuery = z.object({ wakeCommentId: z.string().uuid().optional() });

const companyId = idParam("companyId", "Company not found");
const commentId = idParam("commentId", "Comment not found");

function issueRef(params: unknown): string {
  const value = (params as Record<string, unknown> | undefined)?.id;
  if (typeof value !== "string" || value.length > 100) throw notFound("Issue not found");
  return value;
}

function resolveMe(actor: Actor, q: z.infer<typeof listIssuesQuery>) {
  const assigneeAgentId = q.assigneeAgentId === "me" ? (actor.type === "agent" ? actor.agentId : undefined) : q.assigneeAgentId;
  const assigneeUserId = q.assigneeUserId === "me" ? (actor.type === "board" ? actor.userId : undefined) : q.assigneeUserId;
  // `me` for the wrong kind of caller matches nobody rather than everybody.
  const impossible = (q.assigneeAgentId === "me" && !assigneeAgentId) || (q.assigneeUserId === "me" && !assigneeUserId);
  return { assigneeAgentId, assigneeUserId, impossible };
}

export function issueRoutes(app: FastifyInstance, { db, scheduler, databaseUrl }: ApiDeps): void {
  const pages = new IssueListCache(databaseUrl);
  void pages.start();
  app.addHook("onClose", () => pages.stop());
  // Before this process answers any mutation, cached pages go: a client reads its own writes.
  app.addHook("onSend", async (req, _reply, payload) => {
    if (req.method !== "GET" && req.method !== "HEAD") pages.invalidateAll();
    return payload;
  });
  const loadIssue = async (actor: Actor, params: unknown, access: CompanyAccess = "read") => assertRowAccess(actor, await findIssueByRef(db, issueRef(params)), "Issue", access);
  // A paused or terminated assignee (409) is expected and not worth a warning; anything else is.
  const wake = (actor: Actor, log: FastifyBaseLogger, wakes: IssueWake[]) =>
    sendIssueWakes(db, scheduler, actor, wakes, (w, err) => {
      const notInvokable = err instanceof HttpError && err.status === 409;
      log[notInvokable ? "info" : "warn"]({ err, agentId: w.agentId, reason: w.reason }, "issue wake not delivered");
    });

  app.post("/api/companies/:companyId/issues", { config: { openapi: { summary: "Create an issue", body: createIssueSchema, auth: "board or agent of the company" } } }, async (req, reply) => {
    const cid = companyId(req.params);
    assertCompanyAccess(req.actor, cid, "write");
    const body = parseOrThrow(createIssueSchema, req.body ?? {});
    const { issue, wakes } = await createIssue(db, req.actor, cid, body);
    await wake(req.actor, req.log, wakes);
    return reply.status(201).send(issue);
  });

  app.get("/api/companies/:companyId/issues", { config: { openapi: { summary: "List a company's issues", query: listIssuesQuery } } }, async (req, reply) => {
    const cid = companyId(req.params);
    assertCompanyAccess(req.actor, cid);
    const q = parseOrThrow(listIssuesQuery, req.query ?? {});
    const me = resolveMe(req.actor, q);
    const filters = { ...q, statuses: q.status, assigneeAgentId: me.assigneeAgentId, assigneeUserId: me.assigneeUserId };
    const key = `${cid}:${JSON.stringify(filters)}`;
    const cached = me.impossible ? null : pages.lookup(cid, key);
    if (cached?.hit) return reply.type("application/json; charset=utf-8").header("x-switchboard-cache", "hit").send(cached.hit);
    const json = me.impossible ? "[]" : await listIssuesJson(db, cid, filters);
    if (cached && json !== "[]") pages.store(cid, key, cached.version, json);
    // One query on the hot path: the company is only looked up when nothing matched.
    if (json === "[]" && !(await getCompany(db, cid))) throw notFound("Company not found");
    return reply.type("application/json; charset=utf-8").send(json);
  });

  app.get("/api/issues/:id", { config: { openapi: { summary: "An issue with its ancestors, project and goal" } } }, async (req) => issueDetail(db, await loadIssue(req.actor, req.params)));

  app.patch("/api/issues/:id", { config: { openapi: { summary: "Update an issue (optionally with a comment)", body: updateIssueSchema } } }, async (req) => {
    const current = await loadIssue(req.actor, req.params, "write");
    const body = parseOrThrow(updateIssueSchema, req.body ?? {});
    const { issue, comment, wakes } = await updateIssue(db, req.actor, current.id, body);
    await wake(req.actor, req.log, wakes);
    return { ...issue, comment };
  });

  app.delete("/api/issues/:id", { config: { openapi: { summary: "Delete an issue", auth: "board" } } }, async (req) => {
    assertBoard(req.actor);
    const issue = await loadIssue(req.actor, req.params, "write");
    await deleteIssue(db, req.actor, issue.id);
    return { ok: true };
  });

  app.post("/api/issues/:id/checkout", { config: { openapi: { summary: "Check out an issue for an agent (atomic)", body: checkoutIssueSchema } } }, async (req) => {
    const current = await loadIssue(req.actor, req.params, "write");
    const body = parseOrThrow(checkoutIssueSchema, req.body ?? {});
    const { issue, wakes } = await checkoutIssue(db, req.actor, current.id, body);
    await wake(req.actor, req.log, wakes);
    return issue;
  });

  app.post("/api/issues/:id/release", { config: { openapi: { summary: "Release a checked-out issue" } } }, async (req) => {
    const current = await loadIssue(req.actor, req.params, "write");
    return releaseIssue(db, req.actor, current.id);
  });

  app.get("/api/issues/:id/comments", { config: { openapi: { summary: "An issue's comments", query: listCommentsQuery } } }, async (req) => {
    const issue = await loadIssue(req.actor, req.params);
    const q = parseOrThrow(listCommentsQuery, req.query ?? {});
    if (q.after && !(await getComment(db, issue.id, q.after))) throw notFound("Comment not found");
    return listComments(db, issue.id, { afterId: q.after, order: q.order, limit: q.limit });
  });

  app.get("/api/issues/:id/comments/:commentId", { config: { openapi: { summary: "One comment" } } }, async (req) => {
    const issue = await loadIssue(req.actor, req.params);
    const comment = await getComment(db, issue.id, commentId(req.params));
    if (!comment) throw notFound("Comment not found");
    return comment;
  });

  app.post("/api/issues/:id/comments", { config: { openapi: { summary: "Comment on an issue (wakes the assignee and mentioned agents)", body: addCommentSchema } } }, async (req, reply) => {
    const current = await loadIssue(req.actor, req.params, "write");
    const body = parseOrThrow(addCommentSchema, req.body ?? {});
    const { comment, wakes } = await addComment(db, req.actor, current.id, body);
    await wake(req.actor, req.log, wakes);
    return reply.status(201).send(comment);
  });

  app.get("/api/issues/:id/heartbeat-context", { config: { openapi: { summary: "What an agent needs to work an issue", query: heartbeatContextQuery } } }, async (req) => {
    const issue = await loadIssue(req.actor, req.params);
    const q = parseOrThrow(heartbeatContextQuery, req.query ?? {});
    return heartbeatContext(db, issue, q.wakeCommentId);
  });
}
