/** The plugin store reads and writes Paperclip's adapter-plugins.json / adapter-settings.json formats. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AdapterPluginStore } from "../../adapters/external/plugin-store.js";

const homes: string[] = [];
const newStore = () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "sb-store-"));
  homes.push(home);
  return new AdapterPluginStore(home);
};
afterEach(() => {
  for (const h of homes.splice(0)) fs.rmSync(h, { recursive: true, force: true });
});

describe("AdapterPluginStore", () => {
  it("upserts by type into a private JSON array", () => {
    const store = newStore();
    store.upsert({ packageName: "a-adapter", type: "a", installedAt: "2026-03-30T12:00:00.000Z" });
    store.upsert({ packageName: "b-adapter", localPath: "/srv/b", version: "1.0.0", type: "b", installedAt: "2026-03-30T12:00:00.000Z" });
    store.upsert({ packageName: "a-adapter-v2", type: "a", installedAt: "2026-03-31T12:00:00.000Z" });
    const onDisk = JSON.parse(fs.readFileSync(store.pluginsFile, "utf8"));
    expect(onDisk).toEqual([
      { packageName: "b-adapter", localPath: "/srv/b", version: "1.0.0", type: "b", installedAt: "2026-03-30T12:00:00.000Z" },
      { packageName: "a-adapter-v2", type: "a", installedAt: "2026-03-31T12:00:00.000Z" },
    ]);
    expect(fs.statSync(store.pluginsFile).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(store.home).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("sees a file written by another process (mtime cache), and reads Paperclip's hand-edited form", async () => {
    const store = newStore();
    expect(store.list()).toEqual([]);
    // Exactly the example from Paperclip's docs.
    fs.writeFileSync(store.pluginsFile, JSON.stringify([{ packageName: "my-paperclip-adapter", localPath: "/home/user/my-adapter", type: "my_adapter", installedAt: "2026-03-30T12:00:00.000Z" }]));
    expect(store.get("my_adapter")).toEqual({ packageName: "my-paperclip-adapter", localPath: "/home/user/my-adapter", type: "my_adapter", installedAt: "2026-03-30T12:00:00.000Z" });
    await new Promise((r) => setTimeout(r, 20));
    fs.writeFileSync(store.pluginsFile, JSON.stringify([{ packageName: "other", type: "other_type", installedAt: "2026-03-30T12:00:00.000Z", disabled: true }]));
    expect(store.list().map((r) => r.type)).toEqual(["other_type"]);
    expect(store.isDisabled("other_type")).toBe(true);
  });

  it("drops malformed records and survives a broken file", () => {
    const store = newStore();
    fs.writeFileSync(store.pluginsFile, JSON.stringify([null, 3, { type: "no_package" }, { packageName: "p", type: "ok", version: 7, disabled: "yes" }]));
    expect(store.list()).toEqual([{ packageName: "p", type: "ok", installedAt: new Date(0).toISOString() }]);
    fs.writeFileSync(store.pluginsFile, "[{ half written");
    expect(store.list()).toEqual([]);
    fs.writeFileSync(store.pluginsFile, JSON.stringify({ not: "an array" }));
    expect(store.list()).toEqual([]);
  });

  it("disables types through adapter-settings.json and updates records in place", () => {
    const store = newStore();
    store.setTypeDisabled("process", true);
    store.setTypeDisabled("process", true);
    expect(JSON.parse(fs.readFileSync(store.settingsFile, "utf8"))).toEqual({ disabledTypes: ["process"] });
    expect(store.isDisabled("process")).toBe(true);
    store.setTypeDisabled("process", false);
    expect(store.isDisabled("process")).toBe(false);

    store.upsert({ packageName: "x", type: "x_type", installedAt: "t" });
    expect(store.update("x_type", { disabled: true })).toMatchObject({ disabled: true });
    expect(store.isDisabled("x_type")).toBe(true);
    expect(store.update("x_type", { disabled: false })).not.toHaveProperty("disabled");
    expect(store.update("missing", { disabled: true })).toBeUndefined();
    expect(store.remove("x_type")).toBe(true);
    expect(store.remove("x_type")).toBe(false);
    expect(store.list()).toEqual([]);
  });
});
