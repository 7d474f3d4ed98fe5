/**
 * An installed external package as a `BuiltinAdapter`, so the engine runs it exactly like a built-in:
 * `execute` and `testEnvironment` go through the isolated host (adapters/external/host.mjs), which also
 * applies the package's own sessionCodec — so this proxy has none, and activities/sessions.ts stores
 * the already-serialized params and the display id the host filled in.
 *
 * The proxy claims `supportsLocalAgentJwt` so the engine mints a run token; the host hands it only to
 * packages that declare the capability themselves.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type {
  AdapterEnvironmentTestContext,
  AdapterEnvironmentTestResult,
  AdapterExecutionContext,
  AdapterExecutionResult,
  AdapterInvocationMeta,
  AdapterRuntimeEvent,
  BuiltinAdapter,
} from "../types.js";
import { inheritedEnv, redactEnv } from "../utils/env.js";
import { AdapterPackageError } from "./errors.js";
import { HostError, runInHost } from "./host-client.js";
import { packageDirFor, readPackageInfo, type PackageInfo } from "./package-info.js";
import type { AdapterPluginRecord, AdapterPluginStore } from "./plugin-store.js";
import { adapterFailure, asObject, sanitizeExecutionResult, sanitizeMetadata, sanitizeTestResult, type ExternalAdapterMetadata } from "./result-validation.js";

/** Where external packages live and the URL their agents call back to (PAPERCLIP_API_URL). */
export interface ExternalAdapterHome {
  store: AdapterPluginStore;
  agentApiUrl: string;
}

const DESCRIBE_TIMEOUT_MS = 30_000;
/** Paperclip's CLI hello probes take up to 45 s locally and 90 s in a sandbox. */
const TEST_ENVIRONMENT_TIMEOUT_MS = 120_000;
const DEFAULT_GRACE_SEC = 15;
/** Starting the host and importing the package, on top of the package's own timeout + grace. */
const HOST_OVERHEAD_SEC = 15;
const DAY_SEC = 24 * 3600;

/**
 * The host's whole environment: the allow-listed basics plus PAPERCLIP_API_URL, so the real
 * `buildPaperclipEnv(agent)` of adapter-utils yields this server's URL. Never DATABASE_URL or keys.
 */
export function hostEnv(agentApiUrl: string): Record<string, string> {
  return { ...inheritedEnv(), ...(agentApiUrl ? { PAPERCLIP_API_URL: agentApiUrl } : {}) };
}

export function resolvePackage(record: AdapterPluginRecord, store: AdapterPluginStore): PackageInfo {
  return readPackageInfo(packageDirFor(record, store.pluginsDir), record.packageName, { strictUiParser: false });
}

const numberOf = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : null);

function graceSecOf(config: Record<string, unknown>): number {
  const grace = numberOf(config.graceSec);
  return grace !== null && grace > 0 ? grace : DEFAULT_GRACE_SEC;
}

function existingDir(candidate: unknown): string | null {
  if (typeof candidate !== "string" || !path.isAbsolute(candidate)) return null;
  try {
    return fs.statSync(candidate).isDirectory() ? candidate : null;
  } catch {
    return null;
  }
}

/** Host errors a user must fix in the package → the install-time error codes. */
export function packageErrorFromHost(err: HostError, packageName: string): AdapterPackageError {
  if (err.code === "adapter_missing_create_server_adapter" || err.code === "adapter_missing_type") return new AdapterPackageError(err.code, 422, err.message);
  return new AdapterPackageError("adapter_load_failed", 422, `Package "${packageName}" could not be loaded: ${err.message}`);
}

/** Imports the package in a fresh host and reports what it declares (no cache). */
export async function describePackage(info: PackageInfo, agentApiUrl: string): Promise<ExternalAdapterMetadata> {
  let raw: unknown;
  try {
    raw = await runInHost({ op: "describe", entryPath: info.entryPath, packageName: info.packageName, payload: {}, env: hostEnv(agentApiUrl), cwd: os.tmpdir(), timeoutMs: DESCRIBE_TIMEOUT_MS });
  } catch (err) {
    if (err instanceof HostError) throw packageErrorFromHost(err, info.packageName);
    throw err;
  }
  const metadata = sanitizeMetadata(raw);
  if (!metadata) throw new AdapterPackageError("adapter_missing_type", 422, `createServerAdapter() of package "${info.packageName}" must return an object with a string "type"`);
  return metadata;
}

// ---- describe cache: one host per package version, not one per listing ----

interface CachedDescribe {
  stamp: string;
  result: Promise<ExternalAdapterMetadata>;
}
const describeCache = new Map<string, CachedDescribe>();

function stampOf(info: PackageInfo): string {
  const mtime = (file: string) => {
    try {
      return fs.statSync(file).mtimeMs;
    } catch {
      return 0;
    }
  };
  return `${info.dir}|${mtime(path.join(info.dir, "package.json"))}|${info.entryPath}|${mtime(info.entryPath)}`;
}

/** Cached by package directory and file mtimes, so an upgrade or a rebuild is noticed. */
export function describeCached(type: string, info: PackageInfo, agentApiUrl: string): Promise<ExternalAdapterMetadata> {
  const stamp = stampOf(info);
  const hit = describeCache.get(type);
  if (hit && hit.stamp === stamp) return hit.result;
  const result = describePackage(info, agentApiUrl);
  describeCache.set(type, { stamp, result });
  // A failure is cached too (until the files change or a reload), but must not become an unhandled rejection.
  result.catch(() => undefined);
  return result;
}

export function forgetDescribe(type: string): void {
  describeCache.delete(type);
}

// ---- the proxy ----

function sanitizeMeta(raw: unknown, adapterType: string): AdapterInvocationMeta | null {
  const m = asObject(raw);
  if (!m) return null;
  const out: AdapterInvocationMeta = { adapterType, command: typeof m.command === "string" ? m.command.slice(0, 4000) : "" };
  if (typeof m.cwd === "string") out.cwd = m.cwd.slice(0, 4000);
  if (Array.isArray(m.commandArgs)) out.commandArgs = m.commandArgs.filter((a): a is string => typeof a === "string").slice(0, 200).map((a) => a.slice(0, 4000));
  if (Array.isArray(m.commandNotes)) out.commandNotes = m.commandNotes.filter((a): a is string => typeof a === "string").slice(0, 50).map((a) => a.slice(0, 4000));
  const env = asObject(m.env);
  if (env) out.env = redactEnv(Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === "string")));
  if (typeof m.prompt === "string") out.prompt = m.prompt.slice(0, 100_000);
  return out;
}

function sanitizeEvent(raw: unknown): AdapterRuntimeEvent | null {
  const e = asObject(raw);
  if (!e || typeof e.eventType !== "string") return null;
  const out: AdapterRuntimeEvent = { eventType: e.eventType.slice(0, 200) };
  if (e.stream === "stdout" || e.stream === "stderr" || e.stream === "system") out.stream = e.stream;
  if (e.level === "info" || e.level === "warn" || e.level === "error") out.level = e.level;
  if (typeof e.color === "string") out.color = e.color.slice(0, 50);
  if (typeof e.message === "string") out.message = e.message.slice(0, 4000);
  const payload = asObject(e.payload);
  if (payload) out.payload = payload;
  return out;
}

async function executeExternal(record: AdapterPluginRecord, home: ExternalAdapterHome, ctx: AdapterExecutionContext): Promise<AdapterExecutionResult> {
  const failWith = async (message: string) => {
    await ctx.onLog("stderr", `[switchboard] ${message}\n`).catch(() => undefined);
    return adapterFailure(message);
  };
  let info: PackageInfo;
  try {
    info = resolvePackage(record, home.store);
  } catch (err) {
    return failWith(`Adapter package "${record.packageName}" (type ${record.type}) cannot be loaded: ${err instanceof Error ? err.message : String(err)}`);
  }
  const workspace = asObject(ctx.context.paperclipWorkspace);
  // A package that defaults to process.cwd() lands in the agent's workspace, never in the server's directory.
  const cwd = existingDir(ctx.config.cwd) ?? existingDir(workspace?.cwd) ?? os.tmpdir();
  const apiUrl = home.agentApiUrl || (typeof ctx.context.paperclipApiUrl === "string" ? ctx.context.paperclipApiUrl : "");
  const payload: Record<string, unknown> = {
    runId: ctx.runId,
    agent: ctx.agent,
    runtime: ctx.runtime,
    config: ctx.config,
    context: ctx.context,
    ...(ctx.authToken ? { authToken: ctx.authToken } : {}),
  };
  try {
    const raw = await runInHost({
      op: "execute",
      entryPath: info.entryPath,
      packageName: info.packageName,
      payload,
      env: hostEnv(apiUrl),
      cwd,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      graceMs: graceSecOf(ctx.config) * 1000,
      handlers: {
        onLog: ctx.onLog,
        onSpawn: async (meta) => ctx.onSpawn?.(meta),
        onMeta: async (meta) => {
          const clean = sanitizeMeta(meta, record.type);
          if (clean) await ctx.onMeta?.(clean);
        },
        onEvent: async (event) => {
          const clean = sanitizeEvent(event);
          if (clean) await ctx.onEvent?.(clean);
        },
      },
    });
    return sanitizeExecutionResult(raw, record.type);
  } catch (err) {
    if (err instanceof HostError && err.code === "cancelled") return { exitCode: null, signal: "SIGKILL", timedOut: false, errorCode: "cancelled", errorMessage: "Run cancelled" };
    return failWith(err instanceof Error ? err.message : String(err));
  }
}

async function testExternal(record: AdapterPluginRecord, home: ExternalAdapterHome, ctx: AdapterEnvironmentTestContext): Promise<AdapterEnvironmentTestResult> {
  const failed = (code: string, message: string): AdapterEnvironmentTestResult => ({
    adapterType: record.type,
    status: "fail",
    checks: [{ code, level: "error", message }],
    testedAt: new Date().toISOString(),
  });
  let info: PackageInfo;
  try {
    info = resolvePackage(record, home.store);
  } catch (err) {
    return failed(err instanceof AdapterPackageError ? err.code : "adapter_load_failed", err instanceof Error ? err.message : String(err));
  }
  try {
    const raw = await runInHost({
      op: "testEnvironment",
      entryPath: info.entryPath,
      packageName: info.packageName,
      payload: { companyId: ctx.companyId, adapterType: record.type, config: ctx.config, ...(ctx.deployment ? { deployment: ctx.deployment } : {}) },
      env: hostEnv(home.agentApiUrl),
      cwd: os.tmpdir(),
      timeoutMs: TEST_ENVIRONMENT_TIMEOUT_MS,
    });
    return sanitizeTestResult(raw, record.type);
  } catch (err) {
    if (err instanceof HostError) return failed(err.code, err.message);
    throw err;
  }
}

function validateExternalConfig(config: unknown): Array<{ path: string; message: string }> {
  if (config === undefined || config === null || asObject(config)) return [];
  return [{ path: "", message: "adapterConfig must be a JSON object" }];
}

/** The engine's view of one installed package. */
export function createExternalAdapter(record: AdapterPluginRecord, home: ExternalAdapterHome): BuiltinAdapter {
  return {
    module: {
      type: record.type,
      execute: (ctx) => executeExternal(record, home, ctx),
      testEnvironment: (ctx) => testExternal(record, home, ctx),
      supportsLocalAgentJwt: true,
      models: [],
    },
    validateConfig: validateExternalConfig,
    maxRunSeconds(config) {
      const timeout = numberOf(config.timeoutSec);
      if (timeout === null || timeout <= 0) return DAY_SEC;
      return Math.ceil(timeout + graceSecOf(config) + HOST_OVERHEAD_SEC);
    },
  };
}
