/**
 * The isolated adapter host with real processes: packages written to a temp directory are run through
 * the same proxy the engine uses. A package that throws, exits or hangs must end as a clear failed or
 * cancelled result; it must see only an allow-listed env; onLog is acknowledged before it resolves.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdapterPackageError } from "../../adapters/external/errors.js";
import { createExternalAdapter, describePackage } from "../../adapters/external/external-adapter.js";
import { readPackageInfo } from "../../adapters/external/package-info.js";
import { AdapterPluginStore } from "../../adapters/external/plugin-store.js";
import type { AdapterExecutionContext, AdapterExecutionResult, BuiltinAdapter } from "../../adapters/types.js";
import { isAlive } from "../../adapters/utils/child-process.js";

const PROBE_EXECUTE = `
import { spawn } from "node:child_process";
export async function execute(ctx) {
  const mode = ctx.config.mode;
  const ok = { exitCode: 0, signal: null, timedOut: false };
  if (mode === "env") return { ...ok, resultJson: { envKeys: Object.keys(process.env), hasToken: typeof ctx.authToken === "string", apiUrl: process.env.PAPERCLIP_API_URL ?? null, cwd: process.cwd() } };
  if (mode === "throw") throw new Error("boom from package");
  if (mode === "exit") process.exit(7);
  if (mode === "badResult") return { exitCode: "zero" };
  if (mode === "notObject") return "done";
  if (mode === "huge") return { ...ok, summary: "x".repeat(10000), usage: { inputTokens: -5, outputTokens: "9" }, costUsd: Infinity, sessionParams: { sessionId: "raw-1" } };
  if (mode === "backpressure") {
    const t0 = Date.now();
    await ctx.onLog("stdout", "first\\n");
    return { ...ok, resultJson: { waited: Date.now() - t0 } };
  }
  if (mode === "hang") {
    const child = spawn("sleep", ["30"], { detached: true, stdio: "ignore" });
    await ctx.onSpawn({ pid: child.pid, processGroupId: child.pid, startedAt: new Date().toISOString() });
    setInterval(() => undefined, 1000);
    return new Promise(() => undefined); // ignores ctx.signal, like a package using runChildProcess
  }
  return ok;
}
`;

const homes: string[] = [];
let store: AdapterPluginStore;
const adapters: Record<string, BuiltinAdapter> = {};

function writePackage(name: string, files: Record<string, string>): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `sb-${name}-`)));
  homes.push(dir);
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, version: "0.0.1", type: "module", exports: { ".": "./index.js" } }));
  for (const [file, body] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), body);
  return dir;
}

function probePackage(type: string, jwt: boolean): string {
  return writePackage(type, {
    "execute.js": PROBE_EXECUTE,
    "index.js": `import { execute } from "./execute.js";\nexport function createServerAdapter() { return { type: ${JSON.stringify(type)}, execute, async testEnvironment() { return { status: "pass", checks: [] }; }, supportsLocalAgentJwt: ${jwt} }; }\n`,
  });
}

beforeAll(() => {
  process.env.DATABASE_URL ??= "postgres://server-secret@db/prod";
  process.env.SWITCHBOARD_TEST_CANARY = "server-only";
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "sb-host-home-"));
  homes.push(home);
  store = new AdapterPluginStore(home);
  for (const [type, jwt] of [["probe", false], ["probe_jwt", true]] as const) {
    adapters[type] = createExternalAdapter({ packageName: type, localPath: probePackage(type, jwt), type, installedAt: "" }, { store, agentApiUrl: "http://127.0.0.1:3999" });
  }
});
afterAll(() => {
  delete process.env.SWITCHBOARD_TEST_CANARY;
  for (const d of homes) fs.rmSync(d, { recursive: true, force: true });
});

interface RunOptions {
  signal?: AbortSignal;
  onLog?: AdapterExecutionContext["onLog"];
  spawned?: number[];
}

function run(type: string, config: Record<string, unknown>, opts: RunOptions = {}): Promise<AdapterExecutionResult> {
  return adapters[type]!.module.execute({
    runId: "run-1",
    agent: { id: "agent-1", companyId: "co-1", name: "probe", adapterType: type, adapterConfig: config },
    runtime: { sessionId: null, sessionParams: null, sessionDisplayId: null, taskKey: null },
    config,
    context: {},
    authToken: "run-token",
    onLog: opts.onLog ?? (async () => undefined),
    onSpawn: async ({ pid }) => void opts.spawned?.push(pid),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}

describe("adapter host", () => {
  it("gives the package an allow-listed env with this server's API URL, and the run token only when declared", async () => {
    const plain = await run("probe", { mode: "env" });
    const keys = (plain.resultJson as { envKeys: string[] }).envKeys;
    expect(keys).toContain("PATH");
    expect(keys).toContain("PAPERCLIP_API_URL");
    expect(keys).not.toContain("DATABASE_URL");
    expect(keys).not.toContain("SWITCHBOARD_TEST_CANARY");
    expect(plain.resultJson).toMatchObject({ apiUrl: "http://127.0.0.1:3999", hasToken: false });
    expect((await run("probe_jwt", { mode: "env" })).resultJson).toMatchObject({ hasToken: true });
  });

  it("turns a throwing package, a dying host and a malformed result into adapter_failed", async () => {
    const logs: string[] = [];
    const thrown = await run("probe", { mode: "throw" }, { onLog: async (_s, c) => void logs.push(c) });
    expect(thrown).toMatchObject({ exitCode: null, errorCode: "adapter_failed" });
    expect(thrown.errorMessage).toContain("boom from package");
    expect(logs.join("")).toContain("boom from package");

    const died = await run("probe", { mode: "exit" });
    expect(died.errorCode).toBe("adapter_failed");
    expect(died.errorMessage).toMatch(/exited with code 7 before the adapter answered/);

    expect((await run("probe", { mode: "badResult" })).errorMessage).toMatch(/invalid exitCode/);
    expect((await run("probe", { mode: "notObject" })).errorMessage).toMatch(/returned string instead of a result object/);
  });

  it("validates and caps what the package returns", async () => {
    const r = await run("probe", { mode: "huge" });
    expect(r.exitCode).toBe(0);
    expect(r.summary).toHaveLength(4000);
    expect(r.usage).toEqual({ inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 });
    expect(r.costUsd).toBeUndefined();
    // No sessionCodec in the package: params pass through as the package returned them.
    expect(r.sessionParams).toEqual({ sessionId: "raw-1" });
  });

  it("waits for the parent to handle onLog before the package's await resolves", async () => {
    const r = await run("probe", { mode: "backpressure" }, { onLog: () => new Promise((resolve) => setTimeout(resolve, 300)) });
    expect((r.resultJson as { waited: number }).waited).toBeGreaterThanOrEqual(290);
  });

  it("cancels a package that ignores ctx.signal: its process group is killed and the run ends cancelled", async () => {
    const controller = new AbortController();
    const spawned: number[] = [];
    const pending = run("probe", { mode: "hang", graceSec: 1 }, { signal: controller.signal, spawned });
    const deadline = Date.now() + 10_000;
    while (spawned.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(spawned).toHaveLength(1);
    expect(isAlive(spawned[0]!)).toBe(true);
    const t0 = Date.now();
    controller.abort();
    const result = await pending;
    expect(result).toMatchObject({ errorCode: "cancelled", exitCode: null });
    expect(Date.now() - t0).toBeLessThan(5_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(isAlive(spawned[0]!)).toBe(false);
  });

  it("reports import failures and missing factories as load errors", async () => {
    const crashy = writePackage("crashy-adapter", { "index.js": 'throw new Error("top-level kaboom");\n' });
    const err = await describePackage(readPackageInfo(crashy, "crashy-adapter", { strictUiParser: true }), "").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterPackageError);
    expect(err).toMatchObject({ code: "adapter_load_failed", status: 422 });
    expect((err as Error).message).toContain("top-level kaboom");

    const noType = writePackage("notype-adapter", { "index.js": "export function createServerAdapter() { return { execute() {} }; }\n" });
    await expect(describePackage(readPackageInfo(noType, "notype-adapter", { strictUiParser: true }), "")).rejects.toMatchObject({ code: "adapter_missing_type" });
  });

  it("bounds a run by timeoutSec + graceSec + host start-up, or a day without a timeout", () => {
    const a = adapters.probe!;
    expect(a.maxRunSeconds({ timeoutSec: 60, graceSec: 5 })).toBe(80);
    expect(a.maxRunSeconds({ timeoutSec: 60 })).toBe(90);
    expect(a.maxRunSeconds({})).toBe(24 * 3600);
    expect(a.validateConfig({ any: "thing" })).toEqual([]);
    expect(a.validateConfig(["not", "an", "object"])).toHaveLength(1);
    expect(a.validateConfig("text")).toHaveLength(1);
  });
});
