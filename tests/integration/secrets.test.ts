/**
 * The secrets API: values go in, only metadata comes out (responses, listing, activity log), names
 * are unique per company, every mutation logs exactly one activity row, and tenancy holds.
 */
import { createHash, randomBytes } from "node:crypto";
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiClient } from "../helpers/api-client.js";
import { HttpError } from "../../core/errors.js";
import { assertSecretRefsInCompany } from "../../core/secrets/store.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";

let t: TestRuntime;
let companyId: string;
let otherCompanyId: string;
/** An agent API key of `companyId`, and one of the other company. */
let agentApi: ApiClient;
let foreignAgentApi: ApiClient;

const newValue = () => `sk-test-${randomBytes(16).toString("hex")}`;
const missingId = "00000000-0000-4000-8000-000000000000";

async function activity(cid: string) {
  const res = await t.api.get(`/api/companies/${cid}/activity?entityType=secret&limit=500`);
  expect(res.status).toBe(200);
  return res.body as Array<{ action: string; entityId: string; details: Record<string, unknown> | null; actorType: string }>;
}

async function versionRows(secretId: string) {
  return t.runtime.db.selectFrom("company_secret_versions").selectAll().where("secretId", "=", secretId).orderBy("version").execute();
}

beforeAll(async () => {
  t = await startTestRuntime({ role: "api" });
  companyId = (await t.api.createCompany("Secrets Inc")).id;
  otherCompanyId = (await t.api.createCompany("Other Secrets Inc")).id;
  const adapterConfig = { command: process.execPath, args: ["-e", "0"], cwd: os.tmpdir() };
  const agent = await t.api.createAgent(companyId, { name: "reader", adapterConfig });
  const foreign = await t.api.createAgent(otherCompanyId, { name: "stranger", adapterConfig });
  agentApi = t.api.as(await t.api.createAgentKey(agent.id));
  foreignAgentApi = t.api.as(await t.api.createAgentKey(foreign.id));
});
afterAll(async () => t?.stop());

describe("creating and listing secrets", () => {
  it("stores the value encrypted and returns metadata only", async () => {
    const value = newValue();
    const res = await t.api.post(`/api/companies/${companyId}/secrets`, { name: "OPENAI_API_KEY", value, description: "model access" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ companyId, name: "OPENAI_API_KEY", provider: "local_encrypted", latestVersion: 1, description: "model access", createdByUserId: "local-board" });
    expect(typeof res.body.id).toBe("string");
    expect(typeof res.body.createdAt).toBe("string");
    expect(JSON.stringify(res.body)).not.toContain(value);
    expect(Object.keys(res.body)).not.toContain("value");

    const [version] = await versionRows(res.body.id);
    expect(version).toMatchObject({ version: 1, valueSha256: createHash("sha256").update(value).digest("hex") });
    expect(version!.material).toMatchObject({ scheme: "local_encrypted_v1" });
    expect(JSON.stringify(version!.material)).not.toContain(value);

    const list = await t.api.get(`/api/companies/${companyId}/secrets`);
    expect(list.status).toBe(200);
    expect(list.body.map((s: { id: string }) => s.id)).toContain(res.body.id);
    expect(JSON.stringify(list.body)).not.toContain(value);

    const logged = (await activity(companyId)).filter((a) => a.entityId === res.body.id);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ action: "secret.created", actorType: "user", details: { name: "OPENAI_API_KEY" } });
    expect(JSON.stringify(logged)).not.toContain(value);
  });

  it("lists the local encrypted provider", async () => {
    const res = await t.api.get(`/api/companies/${companyId}/secret-providers`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([expect.objectContaining({ id: "local_encrypted", requiresExternalRef: false })]);
  });

  it("a name is unique per company (409), but free in another company", async () => {
    const first = await t.api.post(`/api/companies/${companyId}/secrets`, { name: "DUP", value: "one" });
    expect(first.status).toBe(201);
    const before = (await activity(companyId)).length;
    const dup = await t.api.post(`/api/companies/${companyId}/secrets`, { name: "DUP", value: "two" });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe("secret_name_taken");
    expect((await activity(companyId)).length).toBe(before);
    expect((await t.api.get(`/api/companies/${companyId}/secrets`)).body.filter((s: { name: string }) => s.name === "DUP")).toHaveLength(1);
    expect((await t.api.post(`/api/companies/${otherCompanyId}/secrets`, { name: "DUP", value: "three" })).status).toBe(201);
  });

  it("refuses malformed bodies with 400 and creates nothing", async () => {
    const before = (await t.api.get(`/api/companies/${companyId}/secrets`)).body.length;
    for (const body of [{}, { name: "X" }, { name: "X", value: "" }, { name: "", value: "v" }, { name: "X", value: 42 }, { name: "X", value: "v", extra: true }, { name: "X", value: "v", provider: "vault" }]) {
      const res = await t.api.post(`/api/companies/${companyId}/secrets`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toBe("Validation error");
    }
    expect((await t.api.request("POST", `/api/companies/${companyId}/secrets`, "{not json")).status).toBe(400);
    expect((await t.api.post(`/api/companies/${companyId}/secrets`, { name: "BIG", value: "x".repeat(64 * 1024 + 1) })).status).toBe(400);
    expect((await t.api.get(`/api/companies/${companyId}/secrets`)).body.length).toBe(before);
  });

  it("agents of the company may list (metadata) but not write; other companies see 404", async () => {
    const listed = await agentApi.get(`/api/companies/${companyId}/secrets`);
    expect(listed.status).toBe(200);
    const before = listed.body.length;
    const denied = await agentApi.post(`/api/companies/${companyId}/secrets`, { name: "AGENT_MADE", value: "v" });
    expect(denied.status).toBe(403);
    expect(denied.body.error).toBe("Board access required");
    expect((await agentApi.get(`/api/companies/${companyId}/secrets`)).body.length).toBe(before);

    expect((await foreignAgentApi.get(`/api/companies/${companyId}/secrets`)).status).toBe(404);
    expect((await foreignAgentApi.get(`/api/companies/${companyId}/secret-providers`)).status).toBe(404);
    expect((await foreignAgentApi.post(`/api/companies/${companyId}/secrets`, { name: "X", value: "v" })).status).toBe(404);
    expect((await t.api.get(`/api/companies/${missingId}/secrets`)).status).toBe(404);
    expect((await t.api.post(`/api/companies/${missingId}/secrets`, { name: "X", value: "v" })).status).toBe(404);
  });
});

describe("updating, rotating and deleting", () => {
  it("renames, rotates to a new version and deletes, one activity row each, never a value", async () => {
    const v1 = newValue();
    const v2 = newValue();
    const created = (await t.api.post(`/api/companies/${companyId}/secrets`, { name: "ROTATE_ME", value: v1 })).body;

    const renamed = await t.api.patch(`/api/secrets/${created.id}`, { name: "ROTATED", description: "now described" });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: created.id, name: "ROTATED", description: "now described", latestVersion: 1 });

    const rotated = await t.api.post(`/api/secrets/${created.id}/rotate`, { value: v2 });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ id: created.id, name: "ROTATED", latestVersion: 2 });
    expect(JSON.stringify(rotated.body)).not.toContain(v2);
    const versions = await versionRows(created.id);
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect(versions[1]!.valueSha256).toBe(createHash("sha256").update(v2).digest("hex"));

    const deleted = await t.api.delete(`/api/secrets/${created.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ ok: true });
    expect((await t.api.get(`/api/companies/${companyId}/secrets`)).body.map((s: { id: string }) => s.id)).not.toContain(created.id);
    expect(await versionRows(created.id)).toEqual([]);
    expect((await t.api.delete(`/api/secrets/${created.id}`)).status).toBe(404);

    const rows = (await activity(companyId)).filter((a) => a.entityId === created.id);
    expect(rows.map((r) => r.action).sort()).toEqual(["secret.created", "secret.deleted", "secret.rotated", "secret.updated"]);
    expect(rows.find((r) => r.action === "secret.rotated")!.details).toMatchObject({ version: 2 });
    expect(rows.find((r) => r.action === "secret.updated")!.details).toMatchObject({ changedKeys: ["name", "description"] });
    expect(JSON.stringify(rows)).not.toContain(v1);
    expect(JSON.stringify(rows)).not.toContain(v2);
  });

  it("refuses bad input and foreign callers, changing nothing", async () => {
    const created = (await t.api.post(`/api/companies/${companyId}/secrets`, { name: "GUARDED", value: "guarded-value" })).body;
    await t.api.post(`/api/companies/${companyId}/secrets`, { name: "TAKEN", value: "v" });
    const before = (await activity(companyId)).length;

    expect((await t.api.patch(`/api/secrets/${created.id}`, {})).status).toBe(400);
    expect((await t.api.patch(`/api/secrets/${created.id}`, { value: "sneaky" })).status).toBe(400);
    expect((await t.api.patch(`/api/secrets/${created.id}`, { name: "TAKEN" })).status).toBe(409);
    expect((await t.api.post(`/api/secrets/${created.id}/rotate`, {})).status).toBe(400);
    expect((await t.api.post(`/api/secrets/${created.id}/rotate`, { value: "" })).status).toBe(400);

    for (const api of [foreignAgentApi]) {
      expect((await api.patch(`/api/secrets/${created.id}`, { name: "MINE" })).status).toBe(404);
      expect((await api.post(`/api/secrets/${created.id}/rotate`, { value: "x" })).status).toBe(404);
      expect((await api.delete(`/api/secrets/${created.id}`)).status).toBe(404);
    }
    expect((await agentApi.patch(`/api/secrets/${created.id}`, { name: "MINE" })).status).toBe(403);
    expect((await agentApi.post(`/api/secrets/${created.id}/rotate`, { value: "x" })).status).toBe(403);
    expect((await agentApi.delete(`/api/secrets/${created.id}`)).status).toBe(403);
    for (const id of [missingId, "not-a-uuid"]) {
      expect((await t.api.patch(`/api/secrets/${id}`, { name: "N" })).status).toBe(404);
      expect((await t.api.post(`/api/secrets/${id}/rotate`, { value: "x" })).status).toBe(404);
      expect((await t.api.delete(`/api/secrets/${id}`)).status).toBe(404);
    }

    const after = (await t.api.get(`/api/companies/${companyId}/secrets`)).body.find((s: { id: string }) => s.id === created.id);
    expect(after).toMatchObject({ name: "GUARDED", latestVersion: 1 });
    expect(await versionRows(created.id)).toHaveLength(1);
    expect((await activity(companyId)).length).toBe(before);
  });
});

describe("assertSecretRefsInCompany (for agent create/PATCH)", () => {
  it("accepts refs to the company's secrets and names the env keys of missing or foreign ones (422)", async () => {
    const own = (await t.api.post(`/api/companies/${companyId}/secrets`, { name: "REF_OWN", value: "v" })).body.id;
    const foreign = (await t.api.post(`/api/companies/${otherCompanyId}/secrets`, { name: "REF_FOREIGN", value: "v" })).body.id;
    const config = (env: Record<string, unknown>) => ({ command: "node", env });
    await expect(assertSecretRefsInCompany(t.runtime.db, companyId, config({ A: "plain", B: { type: "secret_ref", secretId: own } }))).resolves.toBeUndefined();
    await expect(assertSecretRefsInCompany(t.runtime.db, companyId, {})).resolves.toBeUndefined();
    const err = await assertSecretRefsInCompany(t.runtime.db, companyId, config({ OK: { type: "secret_ref", secretId: own }, THEIRS: { type: "secret_ref", secretId: foreign }, GONE: { type: "secret_ref", secretId: missingId } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(422);
    expect((err as HttpError).toBody()).toMatchObject({ code: "secret_not_found", details: { envKeys: ["THEIRS", "GONE"] } });
  });
});
