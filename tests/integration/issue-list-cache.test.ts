/**
 * The issue list's page cache never serves stale rows: a write through the API is visible to the very
 * next read, and a write made elsewhere (another process, the engine, SQL) is visible as soon as its
 * commit notification arrives.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";
import { waitFor } from "../helpers/wait.js";

let t: TestRuntime;
let companyId: string;
beforeAll(async () => {
  t = await startTestRuntime();
  companyId = (await t.api.createCompany("Cache Co")).id;
  for (let i = 0; i < 5; i++) await t.api.post(`/api/companies/${companyId}/issues`, { title: `seed ${i}` });
});
afterAll(async () => t?.stop());

const list = async () => (await t.api.get(`/api/companies/${companyId}/issues`)).body as Array<{ id: string; title: string; status: string }>;

it("serves a repeated read from the cache", async () => {
  await waitFor("the cache to be listening and warm", async () => {
    await list();
    return (await t.api.get(`/api/companies/${companyId}/issues`)).headers.get("x-switchboard-cache") === "hit" ? true : undefined;
  }, 5_000, 50);
});

it("a write through the API is in the next list, every time", async () => {
  const [target] = await list();
  for (let i = 0; i < 20; i++) {
    await list(); // warm the cache with the current page
    expect((await t.api.patch(`/api/issues/${target!.id}`, { title: `renamed ${i}` })).status).toBe(200);
    expect((await list()).find((x) => x.id === target!.id)?.title).toBe(`renamed ${i}`);
  }
  const created = await t.api.post(`/api/companies/${companyId}/issues`, { title: "brand new" });
  expect((await list()).some((x) => x.id === created.body.id)).toBe(true);
});

it("a write made outside this API process shows up once its commit is announced", async () => {
  const before = await list();
  await list();
  const victim = before[before.length - 1]!;
  // Straight SQL: what another API process or a worker's run does to the table.
  await t.runtime.db.updateTable("issues").set({ status: "cancelled" }).where("id", "=", victim.id).execute();
  await waitFor("the list to show the change", async () => ((await list()).find((x) => x.id === victim.id)?.status === "cancelled" ? true : undefined), 5_000, 20);
  await t.runtime.db.deleteFrom("issues").where("id", "=", victim.id).execute();
  await waitFor("the list to drop the deleted issue", async () => ((await list()).some((x) => x.id === victim.id) ? undefined : true), 5_000, 20);
});
