/** The org chart: trees from reportsTo, terminated agents left out, cycles refused on write. */
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOrgTree } from "../../api/routes/org.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";

let t: TestRuntime;
let cid: string;

const quick = { command: process.execPath, args: ["-e", "0"], cwd: os.tmpdir() };
const names = (nodes: any[]): any[] => nodes.map((n) => (n.reports.length ? { [n.name]: names(n.reports) } : n.name));

beforeAll(async () => {
  t = await startTestRuntime();
  cid = (await t.api.createCompany("Org Co")).id;
});
afterAll(async () => t?.stop());

describe("GET /api/companies/:companyId/org", () => {
  it("builds trees from reportsTo, without terminated agents; orphans of a terminated manager become roots", async () => {
    const mk = (name: string, reportsTo?: string, role = "engineer") => t.api.createAgent(cid, { name, role, reportsTo, adapterConfig: quick });
    const ceo = await mk("ceo", undefined, "ceo");
    const cto = await mk("cto", ceo.id, "cto");
    await mk("dev1", cto.id);
    const lead = await mk("lead", cto.id);
    await mk("dev2", lead.id);
    const solo = await mk("solo");
    const gone = await mk("gone", ceo.id);

    let org = (await t.api.get(`/api/companies/${cid}/org`)).body;
    expect(names(org)).toEqual([{ ceo: [{ cto: ["dev1", { lead: ["dev2"] }] }, "gone"] }, "solo"]);
    expect(org[0]).toMatchObject({ id: ceo.id, name: "ceo", role: "ceo", status: "idle", title: null });
    expect(org[1].id).toBe(solo.id);

    expect((await t.api.post(`/api/agents/${gone.id}/terminate`, {})).status).toBe(200);
    expect((await t.api.post(`/api/agents/${lead.id}/terminate`, {})).status).toBe(200);
    org = (await t.api.get(`/api/companies/${cid}/org`)).body;
    expect(names(org)).toEqual([{ ceo: [{ cto: ["dev1"] }] }, "dev2", "solo"]);
  });

  it("refuses a reportsTo that would close a loop (422) and leaves the chart as it was", async () => {
    const a = await t.api.createAgent(cid, { name: "a", adapterConfig: quick });
    const b = await t.api.createAgent(cid, { name: "b", reportsTo: a.id, adapterConfig: quick });
    const c = await t.api.createAgent(cid, { name: "c", reportsTo: b.id, adapterConfig: quick });
    const res = await t.api.patch(`/api/agents/${a.id}`, { reportsTo: c.id });
    expect(res).toMatchObject({ status: 422, body: { code: "org_chart_cycle" } });
    expect((await t.api.patch(`/api/agents/${a.id}`, { reportsTo: a.id })).status).toBe(422);
    expect((await t.api.get(`/api/agents/${a.id}`)).body.reportsTo).toBeNull();
    const org = (await t.api.get(`/api/companies/${cid}/org`)).body;
    expect(names(org.filter((n: any) => n.id === a.id))).toEqual([{ a: [{ b: ["c"] }] }]);
  });

  it("is visible to the company's agents only (404 elsewhere)", async () => {
    const other = (await t.api.createCompany("Other Org Co")).id;
    const outsider = await t.api.createAgent(other, { name: "outsider", adapterConfig: quick });
    const outsiderApi = t.api.as(await t.api.createAgentKey(outsider.id));
    expect((await outsiderApi.get(`/api/companies/${cid}/org`)).status).toBe(404);
    expect(names((await outsiderApi.get(`/api/companies/${other}/org`)).body)).toEqual(["outsider"]);
    expect((await t.api.get(`/api/companies/00000000-0000-4000-8000-000000000000/org`)).status).toBe(404);
    expect((await t.api.get(`/api/companies/not-a-uuid/org`)).status).toBe(404);
  });
});

describe("buildOrgTree", () => {
  it("still shows every agent of a (corrupt) reporting loop", () => {
    const row = (id: string, reportsTo: string | null) => ({ id, name: id, role: "r", title: null, icon: null, status: "idle", reportsTo });
    const tree = buildOrgTree([row("x", "y"), row("y", "x"), row("z", null)]);
    expect(tree.map((n) => n.id).sort()).toEqual(["x", "y", "z"]);
  });
});
