/**
 * Humans in `authenticated` mode: email + password sessions in a cookie, the CSRF guard on cookie
 * mutations, company roles (owner / admin / operator / viewer), board API keys, sign-up switched off.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../helpers/api-client.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";

let t: TestRuntime;
const unique = () => Math.random().toString(36).slice(2, 10);

beforeAll(async () => {
  t = await startTestRuntime({ env: { PAPERCLIP_DEPLOYMENT_MODE: "authenticated" } });
});
afterAll(async () => t?.stop());

/** Signs up and returns a client that sends the session cookie and a same-origin Origin header. */
async function signUp(email = `u-${unique()}@example.test`, password = "correct horse battery") {
  const res = await t.api.post("/api/auth/sign-up/email", { email, password, name: email.split("@")[0] });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0]!;
  expect(cookie).toMatch(/^switchboard_session=/);
  expect(res.headers.get("set-cookie")).toMatch(/HttpOnly/);
  const origin = new URL(t.baseUrl).origin;
  return { user: res.body.user as { id: string; email: string }, cookie, email, password, api: t.api.withHeaders({ cookie, origin }) };
}

/** The instance's admin for this test: promoted directly (other test files share the database). */
async function signUpAdmin() {
  const admin = await signUp();
  await t.runtime.db.insertInto("instance_user_roles").values({ userId: admin.user.id, role: "instance_admin" }).onConflict((oc) => oc.columns(["userId", "role"]).doNothing()).execute();
  return admin;
}

describe("sessions", () => {
  it("without credentials only health answers; a session sees only its own companies", async () => {
    expect((await t.api.get("/api/health")).status).toBe(200);
    expect((await t.api.get("/api/companies")).status).toBe(401);
    expect((await t.api.post("/api/companies", { name: "anon" })).status).toBe(401);

    const admin = await signUpAdmin();
    const created = await admin.api.post("/api/companies", { name: `Owned ${unique()}` });
    expect(created.status).toBe(201);
    const session = await admin.api.get("/api/auth/get-session");
    expect(session.body.user.email).toBe(admin.email);

    const stranger = await signUp();
    expect((await stranger.api.get("/api/companies")).body).toEqual([]);
    expect((await stranger.api.get(`/api/companies/${created.body.id}`)).status).toBe(404);
    expect((await stranger.api.get(`/api/companies/${created.body.id}/agents`)).status).toBe(404);
    const denied = await stranger.api.post("/api/companies", { name: "mine" });
    expect(denied.status).toBe(403);
    expect(denied.body.error).toBe("Instance admin access required");
  });

  it("sign-in checks the password, sign-out ends the session", async () => {
    const user = await signUp();
    const wrong = await t.api.post("/api/auth/sign-in/email", { email: user.email, password: "wrong password!" });
    expect(wrong.status).toBe(401);
    const unknown = await t.api.post("/api/auth/sign-in/email", { email: `nobody-${unique()}@example.test`, password: "whatever123" });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toBe(wrong.body.error); // no account probing
    const ok = await t.api.post("/api/auth/sign-in/email", { email: user.email.toUpperCase(), password: user.password });
    expect(ok.status).toBe(200);
    const cookie = (ok.headers.get("set-cookie") ?? "").split(";")[0]!;
    const api = t.api.withHeaders({ cookie, origin: new URL(t.baseUrl).origin });
    expect((await api.get("/api/companies")).status).toBe(200);
    expect((await api.post("/api/auth/sign-out", {})).status).toBe(200);
    expect((await api.get("/api/companies")).status).toBe(401);
    // Duplicate email and weak password are refused and create nothing.
    expect((await t.api.post("/api/auth/sign-up/email", { email: user.email, password: "another good one" })).status).toBe(409);
    expect((await t.api.post("/api/auth/sign-up/email", { email: `x-${unique()}@example.test`, password: "short" })).status).toBe(400);
  });

  it("a cookie mutation needs a trusted Origin or Referer (CSRF guard)", async () => {
    const admin = await signUpAdmin();
    const noOrigin = new ApiClient(t.baseUrl, { cookie: admin.cookie });
    const refused = await noOrigin.post("/api/companies", { name: "csrf" });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe("Board mutation requires trusted browser origin");
    const evil = await noOrigin.request("POST", "/api/companies", { name: "csrf" }, { origin: "https://evil.example" });
    expect(evil.status).toBe(403);
    const viaReferer = await noOrigin.request("POST", "/api/companies", { name: `Referer ${unique()}` }, { referer: `${t.baseUrl}/board` });
    expect(viaReferer.status).toBe(201);
    expect((await noOrigin.get("/api/companies")).status).toBe(200); // reads need no origin
  });
});

describe("company roles", () => {
  it("viewer reads only, operator works but does not manage, admin manages; the last owner stays", async () => {
    const owner = await signUpAdmin();
    const company = (await owner.api.post("/api/companies", { name: `Roles ${unique()}` })).body;
    const member = await signUp();
    const added = await owner.api.post(`/api/companies/${company.id}/members`, { email: member.email, role: "viewer" });
    expect(added.status).toBe(201);

    expect((await member.api.get(`/api/companies/${company.id}`)).status).toBe(200);
    const viewerWrite = await member.api.post(`/api/companies/${company.id}/agents`, { name: "v", adapterType: "process", adapterConfig: { command: "/bin/true" } });
    expect(viewerWrite.status).toBe(403);
    expect(viewerWrite.body.error).toBe("Viewer access is read-only");
    expect((await member.api.patch(`/api/companies/${company.id}`, { name: "renamed" })).status).toBe(403);

    await owner.api.patch(`/api/companies/${company.id}/members/${added.body.id}`, { role: "operator" });
    const opCreate = await member.api.post(`/api/companies/${company.id}/agents`, { name: "o", adapterType: "process", adapterConfig: { command: "/bin/true" } });
    expect(opCreate.status).toBe(403);

    await owner.api.patch(`/api/companies/${company.id}/members/${added.body.id}`, { role: "admin" });
    const adminCreate = await member.api.post(`/api/companies/${company.id}/agents`, { name: "a", adapterType: "process", adapterConfig: { command: "/bin/true" } });
    expect(adminCreate.status).toBe(201);

    const members = (await owner.api.get(`/api/companies/${company.id}/members`)).body as Array<{ id: string; role: string; userId: string }>;
    const ownerRow = members.find((m) => m.userId === owner.user.id)!;
    expect(ownerRow.role).toBe("owner");
    const demoteLast = await owner.api.patch(`/api/companies/${company.id}/members/${ownerRow.id}`, { role: "viewer" });
    expect(demoteLast.status).toBe(409);
    expect((await owner.api.get(`/api/companies/${company.id}/members`)).body.find((m: { id: string }) => m.id === ownerRow.id).role).toBe("owner");
  });
});

describe("board API keys", () => {
  it("act as their user until revoked; need no Origin; the token is shown once", async () => {
    const admin = await signUpAdmin();
    const company = (await admin.api.post("/api/companies", { name: `Keys ${unique()}` })).body;
    const key = await admin.api.post("/api/board-api-keys", { name: "cli" });
    expect(key.status).toBe(201);
    expect(key.body.token).toMatch(/^pcp_board_[0-9a-f]{48}$/);
    const script = t.api.as(key.body.token);
    expect((await script.get(`/api/companies/${company.id}`)).status).toBe(200);
    expect((await script.patch(`/api/companies/${company.id}`, { description: "from a script" })).status).toBe(200);
    expect(JSON.stringify((await admin.api.get("/api/board-api-keys")).body)).not.toContain(key.body.token);
    expect((await admin.api.delete(`/api/board-api-keys/${key.body.id}`)).status).toBe(200);
    expect((await script.get(`/api/companies/${company.id}`)).status).toBe(401);
  });
});

describe("sign-up disabled", () => {
  it("refuses new accounts once an admin exists", async () => {
    await signUpAdmin();
    const closed = await startTestRuntime({ env: { PAPERCLIP_DEPLOYMENT_MODE: "authenticated", PAPERCLIP_AUTH_DISABLE_SIGN_UP: "true" } });
    try {
      const email = `late-${unique()}@example.test`;
      const res = await closed.api.post("/api/auth/sign-up/email", { email, password: "a fine password" });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe("sign_up_disabled");
      expect(await closed.runtime.db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirst()).toBeUndefined();
    } finally {
      await closed.stop();
    }
  });
});
