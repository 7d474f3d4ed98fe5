/**
 * Live events over WebSocket (Paperclip §7.6): `GET /api/companies/:companyId/events/ws`.
 *
 * Events are published anywhere (API, workers) with Postgres NOTIFY on LIVE_EVENTS_CHANNEL
 * (core/live-events.ts). Each API process holds ONE dedicated LISTEN connection — reconnected with
 * backoff after an error — and fans each event out to the sockets of its company as Paperclip's
 * envelope `{id, companyId, type, createdAt, payload}`; `id` is a per-process counter and there is
 * no replay. Every socket is pinged every 30 s and terminated when it missed the previous pong.
 *
 * Who may connect: local_trusted → anyone (the implicit board); otherwise a board session cookie or
 * board API key of a member, or an agent API key (Bearer or `?token=`, for browsers that cannot set
 * headers) of that company. Run tokens are refused, as in Paperclip. A refused upgrade is a plain
 * HTTP error response (401/403/404) — the socket never opens.
 */
import websocket from "@fastify/websocket";
import type { FastifyInstance, FastifyRequest } from "fastify";
import pg from "pg";
import type { WebSocket } from "ws";
import { z } from "zod";
import type { Actor } from "../../core/auth/actor.js";
import { assertCompanyAccess } from "../../core/auth/authz.js";
import { AGENT_KEY_PREFIX, BOARD_KEY_PREFIX, hashToken } from "../../core/auth/tokens.js";
import { forbidden, notFound, unauthorized } from "../../core/errors.js";
import { LIVE_EVENTS_CHANNEL, type LiveEventMessage } from "../../core/live-events.js";
import type { Db } from "../../db/connection.js";
import { getCompany } from "../../db/queries/companies.js";
import { findAgentKeyByHash, findBoardKeyByHash, loadBoardPrincipal } from "../../db/queries/principals.js";
import type { ApiDeps } from "../deps.js";
import { idParam, parseOrThrow } from "../validation.js";

const PING_EVERY_MS = 30_000;
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 10_000;
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export const liveEventsQuery = z.object({ token: z.string().min(1).max(500).optional() });

/** Per process, like Paperclip's: ids order events within one connection's lifetime, nothing more. */
let lastEventId = 0;
let hubCount = 0;

/** The LISTEN connection's application_name: operators (and tests) can find it in pg_stat_activity. */
export const LISTENER_APP_NAME_PREFIX = `switchboard-live-events/${process.pid}/`;

interface Subscriber {
  socket: WebSocket;
  alive: boolean;
}

export class LiveEventHub {
  private readonly byCompany = new Map<string, Set<Subscriber>>();
  private client: pg.Client | null = null;
  private stopped = false;
  private retryDelay = RECONNECT_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private readonly applicationName = `${LISTENER_APP_NAME_PREFIX}${++hubCount}`;

  constructor(private readonly databaseUrl: string) {}

  /** Resolves once the first LISTEN is in place (or has failed and a retry is scheduled). */
  async start(): Promise<void> {
    this.pingTimer = setInterval(() => this.pingAll(), PING_EVERY_MS);
    this.pingTimer.unref();
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    for (const subs of this.byCompany.values()) for (const s of subs) s.socket.terminate();
    this.byCompany.clear();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: this.applicationName });
    this.client = client;
    let failed = false;
    const fail = () => {
      if (failed) return;
      failed = true;
      client.removeAllListeners("notification");
      client.end().catch(() => undefined);
      if (this.client === client) this.client = null;
      this.scheduleReconnect();
    };
    client.on("error", fail);
    client.on("end", fail);
    client.on("notification", (msg) => {
      if (msg.channel === LIVE_EVENTS_CHANNEL && msg.payload) this.dispatch(msg.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(LIVE_EVENTS_CHANNEL)}`);
      this.retryDelay = RECONNECT_MIN_MS;
    } catch {
      fail();
    }
  }

  /** Events published while disconnected are lost (no replay, as in Paperclip); sockets stay open. */
  private scheduleReconnect(): void {
    if (this.stopped || this.retryTimer) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, RECONNECT_MAX_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, delay);
    this.retryTimer.unref();
  }

  private dispatch(raw: string): void {
    let message: LiveEventMessage;
    try {
      message = JSON.parse(raw) as LiveEventMessage;
    } catch {
      return;
    }
    const id = ++lastEventId;
    const subs = this.byCompany.get(message.companyId);
    if (!subs || subs.size === 0) return;
    const envelope = JSON.stringify({ id, companyId: message.companyId, type: message.type, createdAt: message.createdAt, payload: message.payload });
    for (const s of subs) {
      if (s.socket.readyState !== s.socket.OPEN) continue;
      // A client that stopped reading must not grow this process's memory without bound.
      if (s.socket.bufferedAmount > MAX_BUFFERED_BYTES) s.socket.terminate();
      else s.socket.send(envelope);
    }
  }

  subscribe(companyId: string, socket: WebSocket): void {
    const sub: Subscriber = { socket, alive: true };
    let subs = this.byCompany.get(companyId);
    if (!subs) this.byCompany.set(companyId, (subs = new Set()));
    subs.add(sub);
    socket.on("pong", () => (sub.alive = true));
    // Clients have nothing to say on this channel; their messages are ignored.
    socket.on("message", () => undefined);
    socket.on("close", () => {
      subs.delete(sub);
      if (subs.size === 0 && this.byCompany.get(companyId) === subs) this.byCompany.delete(companyId);
    });
  }

  /** A socket that did not answer the previous ping is dead (half-open TCP, sleeping laptop). */
  private pingAll(): void {
    for (const subs of this.byCompany.values()) {
      for (const s of subs) {
        if (!s.alive) {
          s.socket.terminate();
          continue;
        }
        s.alive = false;
        s.socket.ping();
      }
    }
  }
}

/** `?token=`: an agent API key or board API key, for clients that cannot send an Authorization header. */
async function actorFromQueryToken(db: Db, token: string): Promise<Actor> {
  const hash = hashToken(token);
  if (token.startsWith(BOARD_KEY_PREFIX)) {
    const key = await findBoardKeyByHash(db, hash);
    if (!key) throw unauthorized("Invalid or revoked board API key");
    return { type: "board", userId: key.userId, ...(await loadBoardPrincipal(db, key.userId)), source: "board_key", keyId: key.id };
  }
  if (token.startsWith(AGENT_KEY_PREFIX)) {
    const key = await findAgentKeyByHash(db, hash);
    if (!key) throw unauthorized("Invalid or revoked agent API key");
    if (key.agentStatus === "terminated" || key.agentStatus === "pending_approval") throw unauthorized(`Agent is ${key.agentStatus} and cannot authenticate`);
    return { type: "agent", agentId: key.agentId, companyId: key.companyId, runId: null, source: "agent_key", keyId: key.keyId };
  }
  throw unauthorized("Unrecognised token: use an agent API key or a board API key");
}

const companyId = idParam("companyId", "Company not found");

async function authorizeSocket(db: Db, req: FastifyRequest): Promise<string> {
  const cid = companyId(req.params);
  const { token } = parseOrThrow(liveEventsQuery, req.query ?? {});
  // A header credential was already resolved (and a bad one refused) for every request.
  const actor = token && !req.headers.authorization ? await actorFromQueryToken(db, token) : req.actor;
  if (actor.type === "agent" && actor.source !== "agent_key") {
    throw forbidden("Run tokens are not accepted on the live events socket; use an agent API key", { code: "live_events_agent_key_required" });
  }
  assertCompanyAccess(actor, cid, "read");
  if (!(await getCompany(db, cid))) throw notFound("Company not found");
  req.actor = actor;
  return cid;
}

export function liveEventRoutes(app: FastifyInstance, { db, databaseUrl }: ApiDeps): void {
  // At the root, so an upgrade request to any other route is answered and its socket closed.
  void app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  // An upgrade refused before the plugin's own hooks ran (a bad bearer token fails actor resolution
  // first) would otherwise keep its detached socket open — and app.close() waiting on it forever.
  app.addHook("onResponse", async (req, reply) => {
    // `upgrade` is set by Node's HTTP parser on requests it handed to the 'upgrade' event.
    if ((req.raw as { upgrade?: boolean }).upgrade && reply.statusCode !== 101) req.raw.socket.destroy();
  });
  void app.register(async (scope) => {
    const hub = new LiveEventHub(databaseUrl);
    await hub.start();
    scope.addHook("onClose", () => hub.stop());
    scope.route({
      method: "GET",
      url: "/api/companies/:companyId/events/ws",
      // Refusals happen here, before the upgrade: the client gets a plain HTTP 401/403/404.
      preHandler: async (req) => {
        await authorizeSocket(db, req);
      },
      config: { openapi: { summary: "Live events of a company (WebSocket upgrade): {id, companyId, type, createdAt, payload}", auth: "board member, or agent API key of the company (Bearer or ?token=)", query: liveEventsQuery } },
      // A plain GET (no Upgrade header) gets an explanation in the usual error envelope.
      handler: async (_req, reply) =>
        reply.status(426).header("upgrade", "websocket").send({ error: "This endpoint speaks WebSocket: send a GET with Upgrade: websocket", code: "upgrade_required" }),
      wsHandler: (socket, req) => hub.subscribe(companyId(req.params), socket),
    });
  });
}
