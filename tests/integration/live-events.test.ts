/**
 * Live events over WebSocket: a subscriber gets `activity.logged` for its company's mutations (also
 * when another API process made them: NOTIFY crosses processes) and nothing of other companies;
 * in authenticated mode, only members, board keys and agent API keys of the company get a socket.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import WebSocket from "ws";
import { LISTENER_APP_NAME_PREFIX } from "../../api/routes/live-events.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";
import { waitFor } from "../helpers/wait.js";

let local: TestRuntime;
let authed: TestRuntime;
const unique = () => Math.random().toString(36).slice(2, 10);
const missingId = "00000000-0000-4000-8000-000000000000";

interface Envelope {
  id: number;
  companyId: string;
  type: string;
  createdAt: string;
  payload: Record<string, any>;
}

interface Subscription {
  events: Envelope[];
  close(): void;
}

/** Opens a socket; resolves once open, or rejects with the HTTP status that refused the upgrade. */
function subscribe(t: TestRuntime, companyId: string, opts: { headers?: Record<string, string>; token?: string } = {}): Promise<Subscription> {
  const url = `${t.baseUrl.replace(/^http/, "ws")}/api/companies/${companyId}/events/ws${opts.token ? `?token=${encodeURIComponent(opts.token)}` : ""}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: opts.headers ?? {} });
    const events: Envelope[] = [];
    ws.on("message", (data) => events.push(JSON.parse(String(data)) as Envelope));
    ws.once("open", () => resolve({ events, close: () => ws.close() }));
    ws.once("unexpected-response", (req, res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => {
        req.destroy();
        reject(Object.assign(new Error(`refused: ${res.statusCode} ${body}`), { status: res.statusCode, body }));
      });
    });
    ws.once("error", (err) => reject(err));
  });
}

async function refusedStatus(p: Promise<Subscription>): Promise<number> {
  try {
    (await p).close();
    return 101;
  } catch (err) {
    return (err as { status?: number }).status ?? -1;
  }
}

/** The first `activity.logged` event with this action. */
function activityEvent(sub: Subscription, action: string) {
  return waitFor(`activity.logged ${action}`, () => sub.events.find((e) => e.type === "activity.logged" && e.payload.action === action), 10_000);
}

beforeAll(async () => {
  [local, authed] = await Promise.all([startTestRuntime({ role: "api" }), startTestRuntime({ role: "api", env: { PAPERCLIP_DEPLOYMENT_MODE: "authenticated" } })]);
});
afterAll(async () => {
  await Promise.all([local?.stop(), authed?.stop()]);
});

describe("local_trusted", () => {
  it("a subscriber receives activity.logged for its company, and nothing of another company", async () => {
    const mine = (await local.api.createCompany("Live Inc")).id;
    const theirs = (await local.api.createCompany("Other Live Inc")).id;
    const sub = await subscribe(local, mine);

    // Another company's mutation first, then ours: NOTIFY keeps commit order on the one connection.
    await local.api.post(`/api/companies/${theirs}/activity`, { action: "theirs.changed", entityType: "thing", entityId: "1" });
    const secret = await local.api.post(`/api/companies/${mine}/secrets`, { name: "LIVE_SECRET", value: "live-secret-value-123" });
    expect(secret.status).toBe(201);

    const event = await activityEvent(sub, "secret.created");
    expect(event).toMatchObject({ companyId: mine, type: "activity.logged", payload: { action: "secret.created", entityType: "secret", entityId: secret.body.id, actorType: "user", actorId: "local-board" } });
    expect(typeof event.id).toBe("number");
    expect(Number.isNaN(Date.parse(event.createdAt))).toBe(false);
    expect(JSON.stringify(sub.events)).not.toContain("live-secret-value-123");
    expect(sub.events.every((e) => e.companyId === mine)).toBe(true);
    expect(sub.events.some((e) => e.payload.action === "theirs.changed")).toBe(false);

    // Ids grow within the process.
    await local.api.post(`/api/companies/${mine}/activity`, { action: "second.thing", entityType: "thing", entityId: "2" });
    const second = await activityEvent(sub, "second.thing");
    expect(second.id).toBeGreaterThan(event.id);
    sub.close();
  });

  it("keeps delivering after its LISTEN connection is killed (one connection per API process, reconnected)", async () => {
    const cid = (await local.api.createCompany("Reconnect Inc")).id;
    const sub = await subscribe(local, cid);
    const listeners = () =>
      sql<{ pid: number; query: string }>`select pid, query from pg_stat_activity where application_name like ${LISTENER_APP_NAME_PREFIX + "%"}`.execute(local.runtime.db).then((r) => r.rows);
    // Two runtimes live in this test process (local and authenticated): one listener each.
    const before = await waitFor("both listeners", async () => ((await listeners()).length === 2 ? listeners() : false));
    await sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name like ${LISTENER_APP_NAME_PREFIX + "%"}`.execute(local.runtime.db);
    await waitFor("listeners back with LISTEN done", async () => {
      const now = await listeners();
      return now.length === 2 && now.every((l) => !before.some((b) => b.pid === l.pid) && /^LISTEN /i.test(l.query));
    });
    await local.api.post(`/api/companies/${cid}/activity`, { action: "after.reconnect", entityType: "thing", entityId: "1" });
    await activityEvent(sub, "after.reconnect");
    sub.close();
  });

  it("refuses unknown companies and bad tokens with plain HTTP errors", async () => {
    const plain = await local.api.get(`/api/companies/${missingId}/events/ws`);
    expect(plain.status).toBe(404);
    expect(await refusedStatus(subscribe(local, missingId))).toBe(404);
    expect(await refusedStatus(subscribe(local, "not-a-uuid"))).toBe(404);
    const cid = (await local.api.createCompany()).id;
    expect(await refusedStatus(subscribe(local, cid, { token: "pcp_" + "0".repeat(48) }))).toBe(401);
    expect(await refusedStatus(subscribe(local, cid, { headers: { authorization: "Bearer garbage" } }))).toBe(401);
    // A plain GET (no upgrade) is told what the endpoint is.
    const plainOk = await local.api.get(`/api/companies/${cid}/events/ws`);
    expect(plainOk.status).toBe(426);
    expect(plainOk.body.code).toBe("upgrade_required");
  });
});

describe("authenticated mode", () => {
  it("refuses a socket without credentials, and admits members and the company's agent keys only", async () => {
    // Set-up: an admin (promoted directly: other test files share the database) with two companies.
    const email = `live-admin-${unique()}@example.test`;
    const signUp = await authed.api.post("/api/auth/sign-up/email", { email, password: "correct horse battery" });
    expect(signUp.status).toBe(201);
    await authed.runtime.db.insertInto("instance_user_roles").values({ userId: signUp.body.user.id, role: "instance_admin" }).onConflict((oc) => oc.columns(["userId", "role"]).doNothing()).execute();
    const cookie = (signUp.headers.get("set-cookie") ?? "").split(";")[0]!;
    const admin = authed.api.withHeaders({ cookie, origin: new URL(authed.baseUrl).origin });
    const mine = (await admin.post("/api/companies", { name: `Live Authed ${unique()}` })).body.id as string;
    const theirs = (await admin.post("/api/companies", { name: `Live Authed Other ${unique()}` })).body.id as string;
    const adapterConfig = { command: process.execPath, args: ["-e", "0"] };
    const agent = await admin.createAgent(mine, { name: "watcher", adapterConfig });
    const agentKey = await admin.createAgentKey(agent.id);

    // Nobody: refused before any upgrade.
    expect(await refusedStatus(subscribe(authed, mine))).toBe(401);

    // A viewer member reads events (and cannot write secrets).
    const viewerEmail = `live-viewer-${unique()}@example.test`;
    const viewerSignUp = await authed.api.post("/api/auth/sign-up/email", { email: viewerEmail, password: "correct horse battery" });
    const viewerCookie = (viewerSignUp.headers.get("set-cookie") ?? "").split(";")[0]!;
    expect((await admin.post(`/api/companies/${mine}/members`, { email: viewerEmail, role: "viewer" })).status).toBe(201);
    const viewer = authed.api.withHeaders({ cookie: viewerCookie, origin: new URL(authed.baseUrl).origin });
    // POST /members answers before its transaction commits (api/routes/access.ts): wait until it has.
    await waitFor("viewer membership committed", async () => (await viewer.get(`/api/companies/${mine}`)).status === 200);
    const viewerWrite = await viewer.post(`/api/companies/${mine}/secrets`, { name: "VIEWER_MADE", value: "v" });
    expect(viewerWrite.status).toBe(403);
    expect((await admin.get(`/api/companies/${mine}/secrets`)).body).toEqual([]);

    const viewerSub = await subscribe(authed, mine, { headers: { cookie: viewerCookie } });
    expect(await refusedStatus(subscribe(authed, theirs, { headers: { cookie: viewerCookie } }))).toBe(404);

    // The company's agent key, as a header or ?token=; never for another company.
    const agentSub = await subscribe(authed, mine, { token: agentKey });
    (await subscribe(authed, mine, { headers: { authorization: `Bearer ${agentKey}` } })).close();
    expect(await refusedStatus(subscribe(authed, theirs, { token: agentKey }))).toBe(404);

    // A mutation made through the *other* API process reaches this process's sockets.
    await local.api.post(`/api/companies/${mine}/activity`, { action: "made.elsewhere", entityType: "thing", entityId: "x" });
    await activityEvent(viewerSub, "made.elsewhere");
    await activityEvent(agentSub, "made.elsewhere");
    viewerSub.close();
    agentSub.close();
  });
});
