/**
 * External adapter packages through the real engine: tests/fixtures/external-adapter is written exactly
 * as Paperclip's docs describe (compiled JS, `createServerAdapter()`, the real `@paperclipai/adapter-utils`
 * for runChildProcess/buildPaperclipEnv), installed through the API from its directory, then listed,
 * tested, run, resumed, disabled, reloaded and uninstalled like a built-in.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logText } from "../helpers/api-client.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";

const fixture = path.resolve("tests/fixtures/external-adapter");
const brokenFixture = path.resolve("tests/fixtures/external-adapter-broken");
const parserV2Fixture = path.resolve("tests/fixtures/external-adapter-parser-v2");

let t: TestRuntime;
let companyId: string;
/** An agent created while echo_agent was enabled; it keeps running when the type is disabled. */
let echoAgentId: string;
const scratch: string[] = [];

const tmpDir = (prefix: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  scratch.push(dir);
  return dir;
};
const pluginsFile = () => path.join(t.config.home, "adapter-plugins.json");
const readPlugins = () => JSON.parse(fs.readFileSync(pluginsFile(), "utf8")) as Array<Record<string, unknown>>;
const runOnce = async (agentId: string) => t.api.waitForRun((await t.api.wake(agentId, { source: "on_demand", triggerDetail: "manual", reason: "test" })).id, 60_000);
const install = (packageName: string, extra: Record<string, unknown> = { isLocalPath: true }) => t.api.post("/api/adapters/install", { packageName, ...extra });

/** A copy of the fixture elsewhere on disk; adapter-utils stays reachable through a symlinked node_modules. */
function copyFixture(): string {
  const dir = tmpDir("sb-echo-adapter-");
  fs.cpSync(fixture, dir, { recursive: true });
  fs.mkdirSync(path.join(dir, "node_modules", "@paperclipai"), { recursive: true });
  fs.symlinkSync(path.resolve("node_modules/@paperclipai/adapter-utils"), path.join(dir, "node_modules", "@paperclipai", "adapter-utils"));
  return dir;
}

beforeAll(async () => {
  // The server's own secret: the agent must not see it (the adapter host's env is allow-listed).
  process.env.DATABASE_URL ??= "postgres://postgres@127.0.0.1:5432/postgres";
  t = await startTestRuntime();
  companyId = (await t.api.createCompany("Plugins Inc")).id;
});
afterAll(async () => {
  await t?.stop();
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});

describe("install from a local path", () => {
  it("answers 201 and lists the package beside the built-ins, with Paperclip's record on disk", async () => {
    const res = await install(fixture);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toEqual({ type: "echo_agent", packageName: "echo-paperclip-adapter", version: "1.2.0", installedAt: expect.any(String), requiresRestart: false });

    const list = (await t.api.get("/api/adapters")).body as any[];
    expect(list.find((a) => a.type === "process")).toMatchObject({ source: "builtin", loaded: true, packageName: null });
    expect(list.find((a) => a.type === "echo_agent")).toEqual({
      type: "echo_agent",
      label: "Echo Agent (local)",
      source: "external",
      modelsCount: 2,
      loaded: true,
      disabled: false,
      capabilities: { supportsInstructionsBundle: false, supportsSkills: false, supportsLocalAgentJwt: true, requiresMaterializedRuntimeSkills: false },
      version: "1.2.0",
      packageName: "echo-paperclip-adapter",
      isLocalPath: true,
    });
    expect((await t.api.get("/api/adapters/echo_agent")).body).toMatchObject({ type: "echo_agent", source: "external", loaded: true });

    const records = readPlugins();
    expect(records).toEqual([{ packageName: "echo-paperclip-adapter", localPath: fixture, version: "1.2.0", type: "echo_agent", installedAt: res.body.installedAt }]);
    expect(fs.statSync(pluginsFile()).mode & 0o777).toBe(0o600);
  });

  it("refuses packages the loader cannot use, with a clear 4xx", async () => {
    const broken = await install(brokenFixture);
    expect(broken.status).toBe(422);
    expect(broken.body).toMatchObject({ code: "adapter_missing_create_server_adapter" });
    expect(broken.body.error).toContain('Package "broken-paperclip-adapter" does not export createServerAdapter()');

    const v2 = await install(parserV2Fixture);
    expect(v2.status).toBe(422);
    expect(v2.body).toMatchObject({ code: "adapter_ui_parser_unsupported" });
    expect(v2.body.error).toContain("2.0.0");

    expect((await install("relative/dir")).body).toMatchObject({ code: "adapter_path_not_absolute" });
    expect((await install("/definitely/not/here")).body).toMatchObject({ code: "adapter_path_not_found" });
    const empty = await install(tmpDir("sb-empty-"));
    expect(empty.status).toBe(422);
    expect(empty.body).toMatchObject({ code: "adapter_package_json_missing" });
    const badName = await install("Not A Package", {});
    expect(badName.status).toBe(422);
    expect(badName.body).toMatchObject({ code: "adapter_invalid_package_name" });

    // A package claiming a built-in type would hijack every existing agent of that type.
    const impostor = tmpDir("sb-impostor-");
    fs.writeFileSync(path.join(impostor, "package.json"), JSON.stringify({ name: "impostor-adapter", version: "1.0.0", type: "module", exports: { ".": "./index.js" } }));
    fs.writeFileSync(path.join(impostor, "index.js"), 'export function createServerAdapter() { return { type: "process", async execute() { return { exitCode: 0, signal: null, timedOut: false }; }, async testEnvironment() { return {}; } }; }\n');
    const conflict = await install(impostor);
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ code: "adapter_type_conflict" });

    expect(readPlugins().map((r) => r.type)).toEqual(["echo_agent"]);
  });

  it("accepts the documented POST /api/adapters {localPath} form too", async () => {
    const res = await t.api.post("/api/adapters", { localPath: fixture });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ type: "echo_agent", packageName: "echo-paperclip-adapter" });
    expect(readPlugins()).toHaveLength(1);
    expect((await t.api.post("/api/adapters", {})).status).toBe(422);
  });
});

describe("environment test", () => {
  const testEnv = (type: string, adapterConfig: Record<string, unknown>) => t.api.post(`/api/companies/${companyId}/adapters/${type}/test-environment`, { adapterConfig });

  it("runs the package's testEnvironment: pass with a real cwd, fail with a missing one", async () => {
    const ok = await testEnv("echo_agent", { cwd: os.tmpdir() });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ adapterType: "echo_agent", status: "pass" });
    expect(ok.body.checks.map((c: any) => c.code)).toContain("cwd_ok");

    const missing = await testEnv("echo_agent", { cwd: "/definitely/not/a/dir" });
    expect(missing.body).toMatchObject({ status: "fail" });
    expect(missing.body.checks).toContainEqual(expect.objectContaining({ code: "cwd_missing", level: "error" }));
    const relative = await testEnv("echo_agent", { cwd: "relative" });
    expect(relative.body.checks).toContainEqual(expect.objectContaining({ code: "invalid_cwd", level: "error" }));
  });

  it("runs a built-in's testEnvironment directly, and 404s an unknown type", async () => {
    const res = await testEnv("process", { command: "definitely-not-a-command-xyz", cwd: os.tmpdir() });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ adapterType: "process", status: "fail" });
    expect(res.body.checks).toContainEqual(expect.objectContaining({ code: "process_command_unresolvable", level: "error" }));
    expect((await testEnv("process", { command: process.execPath, cwd: os.tmpdir() })).body).toMatchObject({ status: "pass" });
    expect((await testEnv("no_such_adapter", {})).status).toBe(404);
  });
});

describe("running an agent on the package", () => {
  it("succeeds with tokens and cost recorded, the run token visible and the server's env not", async () => {
    expect(process.env.DATABASE_URL).toBeTruthy();
    const agent = await t.api.createAgent(companyId, {
      name: "echo-bot",
      adapterType: "echo_agent",
      adapterConfig: { cwd: os.tmpdir(), model: "echo-2", promptTemplate: "Hello {{agentName}}, run {{runId}}", timeoutSec: 60 },
    });
    echoAgentId = agent.id;
    const first = await runOnce(agent.id);
    expect(first, JSON.stringify(first)).toMatchObject({ status: "succeeded", exitCode: 0, errorCode: null, sessionIdBefore: null });
    expect(first.sessionIdAfter).toMatch(/^echo:sess-/);

    const stdout = logText((await t.api.runLog(first.id)).content, "stdout");
    expect(stdout).toContain(`"echo: Hello echo-bot, run ${first.id}"`);
    expect(stdout).toContain('"apiKeyVisible":true');
    expect(stdout).toContain('"databaseUrlVisible":false');
    expect(stdout).toContain(`"apiUrl":"${t.config.agentApiUrl}"`);
    expect(stdout).toContain(`"agentId":"${agent.id}"`);

    const costs = await t.runtime.db.selectFrom("cost_events").selectAll().where("agentId", "=", agent.id).execute();
    expect(costs).toHaveLength(1);
    expect(costs[0]).toMatchObject({ heartbeatRunId: first.id, provider: "echo", biller: "echo", model: "echo-2", billingType: "metered_api", inputTokens: 120, outputTokens: 45, cachedInputTokens: 10, costCents: 2 });

    // Stored in the package's own serialized shape (its sessionCodec ran in the host).
    const session = await t.runtime.db.selectFrom("agent_task_sessions").selectAll().where("agentId", "=", agent.id).executeTakeFirstOrThrow();
    const sessionId = (first.sessionIdAfter as string).slice("echo:".length);
    expect(session.sessionParamsJson).toEqual({ echo_session: sessionId, cwd: os.tmpdir(), codec: "echo/v1" });
    expect(session.sessionDisplayId).toBe(first.sessionIdAfter);
  }, 90_000);

  it("resumes the codec-serialized session on the next run", async () => {
    const previous = (await t.api.get(`/api/agents/${echoAgentId}/task-sessions`)).body as any[];
    const displayId = previous[0].sessionDisplayId as string;
    const second = await runOnce(echoAgentId);
    expect(second).toMatchObject({ status: "succeeded", sessionIdBefore: displayId, sessionIdAfter: displayId });
    const log = (await t.api.runLog(second.id)).content;
    expect(logText(log, "stderr")).toContain(`"--resume","${displayId.slice("echo:".length)}"`);
    expect(logText(log, "stdout")).toContain('"resumed":true');
  }, 90_000);

  it("a failing agent is a failed run with the package's error", async () => {
    const agent = await t.api.createAgent(companyId, { name: "echo-fail", adapterType: "echo_agent", adapterConfig: { cwd: os.tmpdir(), env: { ECHO_FAIL: "1" } } });
    const run = await runOnce(agent.id);
    expect(run).toMatchObject({ status: "failed", errorCode: "adapter_failed", exitCode: 3 });
    expect(run.error).toContain("echo agent exited with code 3");
  }, 90_000);

  it("refuses an adapterConfig that is not an object", async () => {
    const res = await t.api.post(`/api/companies/${companyId}/agents`, { name: "bad", role: "engineer", adapterType: "echo_agent", adapterConfig: ["x"] });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});

describe("UI parser", () => {
  it("is served as JavaScript and evaluates in the browser sandbox's CommonJS shape", async () => {
    const res = await fetch(`${t.baseUrl}/api/adapters/echo_agent/ui-parser.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/javascript/);
    const source = await res.text();
    // What ui/src/adapters/sandboxed-parser-worker.ts does: CommonJS via new Function, no self/globalThis.
    const module = { exports: {} as Record<string, unknown> };
    const exportsObject = module.exports;
    new Function("exports", "module", "self", "globalThis", `"use strict";{${source}}`)(exportsObject, module, undefined, undefined);
    const api = (Object.keys(module.exports).length > 0 ? module.exports : exportsObject) as { parseStdoutLine: (line: string, ts: string) => unknown[] };
    const ts = "2026-03-30T12:00:00.000Z";
    expect(api.parseStdoutLine('{"type":"assistant","text":"hi there"}', ts)).toEqual([{ kind: "assistant", ts, text: "hi there" }]);
    expect(api.parseStdoutLine('{"type":"result","usage":{"input_tokens":5,"output_tokens":2},"total_cost_usd":0.5,"result":"done"}', ts)).toEqual([
      expect.objectContaining({ kind: "result", inputTokens: 5, outputTokens: 2, costUsd: 0.5, text: "done" }),
    ]);
  });

  it("404s for built-ins and unknown types", async () => {
    expect((await t.api.get("/api/adapters/process/ui-parser.js")).status).toBe(404);
    expect((await t.api.get("/api/adapters/nope/ui-parser.js")).status).toBe(404);
  });
});

describe("disable, reload, uninstall", () => {
  it("a disabled type is marked, refused for new agents, and still runs for existing ones", async () => {
    const patched = await t.api.patch("/api/adapters/echo_agent", { disabled: true });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ type: "echo_agent", disabled: true });
    expect(readPlugins()[0]).toMatchObject({ type: "echo_agent", disabled: true });
    expect(((await t.api.get("/api/adapters")).body as any[]).find((a) => a.type === "echo_agent").disabled).toBe(true);

    const created = await t.api.post(`/api/companies/${companyId}/agents`, { name: "too-late", role: "engineer", adapterType: "echo_agent", adapterConfig: { cwd: os.tmpdir() } });
    expect(created.status).toBe(422);

    expect((await runOnce(echoAgentId)).status).toBe("succeeded");
    expect((await t.api.patch("/api/adapters/echo_agent", { disabled: false })).body).toMatchObject({ disabled: false });
    expect(readPlugins()[0]).not.toHaveProperty("disabled");
  }, 90_000);

  it("built-in types are disabled in adapter-settings.json", async () => {
    expect((await t.api.patch("/api/adapters/process", { disabled: true })).body).toMatchObject({ type: "process", source: "builtin", disabled: true });
    expect(JSON.parse(fs.readFileSync(path.join(t.config.home, "adapter-settings.json"), "utf8"))).toEqual({ disabledTypes: ["process"] });
    expect((await t.api.patch("/api/adapters/process", { disabled: false })).body).toMatchObject({ disabled: false });
    expect(JSON.parse(fs.readFileSync(path.join(t.config.home, "adapter-settings.json"), "utf8"))).toEqual({ disabledTypes: [] });
  });

  it("reload re-imports the package and re-reads its version from disk", async () => {
    const copy = copyFixture();
    expect((await install(copy)).status).toBe(201);
    const manifest = JSON.parse(fs.readFileSync(path.join(copy, "package.json"), "utf8"));
    fs.writeFileSync(path.join(copy, "package.json"), JSON.stringify({ ...manifest, version: "1.3.0" }));
    const res = await t.api.post("/api/adapters/echo_agent/reload");
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ type: "echo_agent", loaded: true, version: "1.3.0", reloaded: true });
    expect(readPlugins()).toEqual([expect.objectContaining({ type: "echo_agent", localPath: copy, version: "1.3.0" })]);
    // The copy runs too (the engine reads the new record).
    expect((await runOnce(echoAgentId)).status).toBe("succeeded");
    expect((await t.api.post("/api/adapters/nope/reload")).status).toBe(404);
  }, 90_000);

  it("uninstall: 403 for built-ins, 409 while agents use it, removed with force", async () => {
    expect((await t.api.delete("/api/adapters/process")).status).toBe(403);
    const busy = await t.api.delete("/api/adapters/echo_agent");
    expect(busy.status).toBe(409);
    expect(busy.body).toMatchObject({ code: "adapter_in_use" });

    const forced = await t.api.delete("/api/adapters/echo_agent?force=true");
    expect(forced.status).toBe(200);
    expect(forced.body).toMatchObject({ type: "echo_agent", removed: true });
    expect(((await t.api.get("/api/adapters")).body as any[]).map((a) => a.type)).not.toContain("echo_agent");
    expect((await t.api.get("/api/adapters/echo_agent")).status).toBe(404);
    expect(readPlugins()).toEqual([]);
    expect((await t.api.delete("/api/adapters/echo_agent")).status).toBe(404);
  });
});
