/**
 * Who is calling. Every request resolves to exactly one actor before any route runs
 * (api/auth/resolve-actor.ts); routes and core services decide with it, never with raw headers.
 */
export type MembershipRole = "owner" | "admin" | "operator" | "viewer";
export const MEMBERSHIP_ROLES: readonly MembershipRole[] = ["owner", "admin", "operator", "viewer"];

export interface Membership {
  companyId: string;
  role: MembershipRole;
}

export interface BoardActor {
  type: "board";
  userId: string;
  /** Active memberships. Empty and ignored for `local_implicit`, which sees every company. */
  memberships: Membership[];
  isInstanceAdmin: boolean;
  source: "local_implicit" | "session" | "board_key";
  keyId?: string;
  sessionId?: string;
}

export interface AgentActor {
  type: "agent";
  agentId: string;
  companyId: string;
  /** The run this request acts for: the token's `run_id`, or `X-Paperclip-Run-Id` with an API key. */
  runId: string | null;
  source: "agent_jwt" | "agent_key";
  keyId?: string;
}

export interface NoActor {
  type: "none";
}

export type Actor = BoardActor | AgentActor | NoActor;

export const LOCAL_BOARD_USER_ID = "local-board";

/** The activity log's view of an actor: `user | agent | system` plus ids. */
export interface ActorRef {
  actorType: "user" | "agent" | "system";
  actorId: string;
  agentId: string | null;
  runId: string | null;
}

export const SYSTEM_ACTOR: ActorRef = { actorType: "system", actorId: "system", agentId: null, runId: null };

export function actorRef(actor: Actor): ActorRef {
  if (actor.type === "agent") return { actorType: "agent", actorId: actor.agentId, agentId: actor.agentId, runId: actor.runId };
  if (actor.type === "board") return { actorType: "user", actorId: actor.userId, agentId: null, runId: null };
  return SYSTEM_ACTOR;
}
