/**
 * Actor resolution, once per request, before any route (Paperclip's actorMiddleware):
 *   Bearer `pcp_board_…` → board API key; Bearer `pcp_…` → agent API key; Bearer JWT → run token;
 *   otherwise the session cookie (authenticated mode) or the implicit `local-board` (local_trusted).
 * A bearer token that does not verify is a 401 in every mode — a bad credential never falls back to
 * the implicit board. Agents whose status is terminated or pending_approval cannot authenticate.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Actor, AgentActor } from "../../core/auth/actor.js";
import { LOCAL_BOARD_USER_ID } from "../../core/auth/actor.js";
import { looksLikeJwt, verifyRunToken } from "../../core/auth/run-token.js";
import { AGENT_KEY_PREFIX, BOARD_KEY_PREFIX, hashToken } from "../../core/auth/tokens.js";
import { unauthorized, HttpError, forbidden } from "../../core/errors.js";
import type { Db } from "../../db/connection.js";
import { findAgentKeyByHash, findBoardKeyByHash, findRunForToken, findSessionByHash, loadBoardPrincipal, touchLastUsed } from "../../db/queries/principals.js";
import { readCookie, SESSION_COOKIE } from "./cookies.js";

declare module "fastify" {
  interface FastifyRequest {
    actor: Actor;
  }
}

export interface ActorResolverOptions {
  db: Db;
  deploymentMode: "local_trusted" | "authenticated";
  agentJwtSecret: Uint8Array;
}

const TERMINAL_RUN = new Set(["succeeded", "failed", "cancelled", "timed_out"]);
const LOCKED_AGENT = new Set(["terminated", "pending_approval"]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function installActorResolution(app: FastifyInstance, opts: ActorResolverOptions): void {
  app.decorateRequest("actor", null as never);
  app.addHook("onRequest", async (req) => {
    req.actor = await resolveActor(req, opts);
  });
}

function runIdHeader(req: FastifyRequest): string | null {
  const raw = req.headers["x-paperclip-run-id"];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return typeof value === "string" && value.trim() !== "" ? value.trim() : null;
}

async function resolveActor(req: FastifyRequest, { db, deploymentMode, agentJwtSecret }: ActorResolverOptions): Promise<Actor> {
  const auth = req.headers.authorization;
  const bearer = typeof auth === "string" && /^bearer\s+/i.test(auth) ? auth.replace(/^bearer\s+/i, "").trim() : null;
  if (bearer) {
    if (bearer.startsWith(BOARD_KEY_PREFIX)) {
      const key = await findBoardKeyByHash(db, hashToken(bearer));
      if (!key) throw unauthorized("Invalid or revoked board API key");
      void touchLastUsed(db, "board_api_keys", key.id, key.lastUsedAt).catch(() => undefined);
      const principal = await loadBoardPrincipal(db, key.userId);
      return { type: "board", userId: key.userId, ...principal, source: "board_key", keyId: key.id };
    }
    if (bearer.startsWith(AGENT_KEY_PREFIX)) return resolveAgentKey(db, bearer, runIdHeader(req));
    if (looksLikeJwt(bearer)) return resolveRunToken(db, bearer, agentJwtSecret, runIdHeader(req));
    throw unauthorized("Unrecognised bearer token");
  }
  if (deploymentMode === "local_trusted") {
    return { type: "board", userId: LOCAL_BOARD_USER_ID, memberships: [], isInstanceAdmin: true, source: "local_implicit" };
  }
  const sessionToken = readCookie(req.headers.cookie, SESSION_COOKIE);
  if (sessionToken) {
    const session = await findSessionByHash(db, hashToken(sessionToken));
    if (session) {
      const principal = await loadBoardPrincipal(db, session.userId);
      return { type: "board", userId: session.userId, ...principal, source: "session", sessionId: session.sessionId };
    }
  }
  return { type: "none" };
}

async function resolveAgentKey(db: Db, token: string, headerRunId: string | null): Promise<AgentActor> {
  const key = await findAgentKeyByHash(db, hashToken(token));
  if (!key) throw unauthorized("Invalid or revoked agent API key");
  if (LOCKED_AGENT.has(key.agentStatus)) throw unauthorized(`Agent is ${key.agentStatus} and cannot authenticate`);
  void touchLastUsed(db, "agent_api_keys", key.keyId, key.lastUsedAt).catch(() => undefined);
  let runId: string | null = null;
  if (headerRunId) {
    // With a long-lived key the header names the run; it must be one of this agent's runs.
    const run = UUID.test(headerRunId) ? await findRunForToken(db, headerRunId) : undefined;
    if (!run || run.agentId !== key.agentId) throw forbidden("X-Paperclip-Run-Id does not name a run of this agent", { code: "run_id_not_owned" });
    runId = headerRunId;
  }
  return { type: "agent", agentId: key.agentId, companyId: key.companyId, runId, source: "agent_key", keyId: key.keyId };
}

async function resolveRunToken(db: Db, token: string, secret: Uint8Array, headerRunId: string | null): Promise<AgentActor> {
  const check = await verifyRunToken(token, secret);
  if (!check.ok) {
    throw unauthorized(check.reason === "expired" ? "Expired agent token; it is valid only for the run it was minted for" : "Agent token did not verify; use the PAPERCLIP_API_KEY of the current run");
  }
  const { claims } = check;
  const run = UUID.test(claims.runId) ? await findRunForToken(db, claims.runId) : undefined;
  if (!run || run.agentId !== claims.agentId || run.companyId !== claims.companyId) throw unauthorized("Agent token did not verify; its run does not exist");
  if (TERMINAL_RUN.has(run.status)) throw unauthorized("Agent token expired: its run has finished", { code: "run_finished", runStatus: run.status });
  if (LOCKED_AGENT.has(run.agentStatus)) throw unauthorized(`Agent is ${run.agentStatus} and cannot authenticate`);
  if (headerRunId && headerRunId !== claims.runId) {
    throw new HttpError(422, "X-Paperclip-Run-Id does not match the run of this token", { code: "agent_jwt_run_id_mismatch", tokenRunId: claims.runId });
  }
  return { type: "agent", agentId: claims.agentId, companyId: claims.companyId, runId: claims.runId, source: "agent_jwt" };
}
