/**
 * The isolated host of an external adapter package. Paperclip imports adapter packages into its
 * server process, where they share the server's environment (database URL, keys) and can crash it.
 * Switchboard runs every call into a package — describe, testEnvironment, execute — in this
 * short-lived Node process instead, started by adapters/external/host-client.ts with an allow-listed
 * environment and talking to it over the IPC channel only.
 *
 * Plain JavaScript on purpose: it must start without a TypeScript loader, exactly as a package would
 * run in Paperclip. Protocol (all messages are JSON objects with a `t` field):
 *   parent → host: {t:"start", op, entryPath, packageName, payload} · {t:"reply", id, ok, error?} · {t:"abort"}
 *   host → parent: {t:"call", id, name, args} (ctx callbacks, awaited) · {t:"done", ok, value | error:{code, message}}
 */
import process from "node:process";
import { pathToFileURL } from "node:url";

const MAX_LOG_CHUNK = 1024 * 1024;
const MAX_RESULT_JSON = 8 * 1024 * 1024;

const controller = new AbortController();
const pending = new Map();
/** Process groups the package reported through onSpawn: killed if the parent goes away. */
const spawnedGroups = new Set();
let nextCallId = 1;
let started = false;
let finished = false;

class HostError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const messageOf = (err) => (err instanceof Error ? err.message : String(err));

function send(message) {
  return new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send(message, undefined, undefined, () => resolve());
  });
}

/** A ctx callback: forwarded to the parent, resolved once the parent has handled it (back-pressure). */
function call(name, args) {
  const id = nextCallId++;
  return new Promise((resolve, reject) => {
    if (!process.connected) return reject(new Error("Switchboard is no longer listening"));
    pending.set(id, { resolve, reject });
    process.send({ t: "call", id, name, args }, undefined, undefined, (err) => {
      if (err) {
        pending.delete(id);
        reject(err);
      }
    });
  });
}

function toJson(value) {
  if (value === undefined) return null;
  try {
    return JSON.parse(JSON.stringify(value));
  } catch {
    return null;
  }
}

async function finish(message) {
  if (finished) return;
  finished = true;
  await send(message);
  process.exit(0);
}

async function loadAdapter(entryPath, packageName) {
  let mod;
  try {
    mod = await import(pathToFileURL(entryPath).href);
  } catch (err) {
    throw new HostError("adapter_load_failed", `Package "${packageName}" could not be imported from ${entryPath}: ${messageOf(err)}`);
  }
  const factory = typeof mod.createServerAdapter === "function" ? mod.createServerAdapter : mod.default?.createServerAdapter;
  if (typeof factory !== "function") {
    throw new HostError("adapter_missing_create_server_adapter", `Package "${packageName}" does not export createServerAdapter()`);
  }
  let adapter;
  try {
    adapter = await factory();
  } catch (err) {
    throw new HostError("adapter_load_failed", `createServerAdapter() of package "${packageName}" threw: ${messageOf(err)}`);
  }
  if (!adapter || typeof adapter !== "object" || typeof adapter.type !== "string" || adapter.type.length === 0) {
    throw new HostError("adapter_missing_type", `createServerAdapter() of package "${packageName}" must return an object with a string "type"`);
  }
  return { mod, adapter };
}

function describe(mod, adapter) {
  const models = Array.isArray(adapter.models) ? adapter.models : Array.isArray(mod.models) ? mod.models : [];
  const doc = typeof adapter.agentConfigurationDoc === "string" ? adapter.agentConfigurationDoc : mod.agentConfigurationDoc;
  const codec = adapter.sessionCodec;
  return {
    type: adapter.type,
    label: typeof mod.label === "string" ? mod.label : typeof adapter.label === "string" ? adapter.label : adapter.type,
    models: toJson(models.filter((m) => m && typeof m.id === "string").map((m) => ({ id: m.id, label: typeof m.label === "string" ? m.label : m.id }))),
    agentConfigurationDoc: typeof doc === "string" ? doc : null,
    supportsLocalAgentJwt: adapter.supportsLocalAgentJwt === true,
    supportsInstructionsBundle: adapter.supportsInstructionsBundle === true,
    requiresMaterializedRuntimeSkills: adapter.requiresMaterializedRuntimeSkills === true,
    sessionManagement: toJson(adapter.sessionManagement),
    hasExecute: typeof adapter.execute === "function",
    hasTestEnvironment: typeof adapter.testEnvironment === "function",
    hasSessionCodec: Boolean(codec && typeof codec.serialize === "function" && typeof codec.deserialize === "function"),
    hasListSkills: typeof adapter.listSkills === "function",
    hasSyncSkills: typeof adapter.syncSkills === "function",
    hasDetectModel: typeof adapter.detectModel === "function",
    hasGetConfigSchema: typeof adapter.getConfigSchema === "function",
  };
}

function codecOf(adapter) {
  const codec = adapter.sessionCodec;
  return codec && typeof codec.serialize === "function" && typeof codec.deserialize === "function" ? codec : null;
}

const nonEmpty = (v) => (typeof v === "string" && v.length > 0 ? v : null);
const asRecord = (v) => (v && typeof v === "object" && !Array.isArray(v) ? v : null);

/** Stored params → what the package expects in ctx.runtime, through its own codec. */
async function restoreSession(codec, runtime) {
  const raw = asRecord(runtime.sessionParams);
  if (!codec) return { params: raw, displayId: nonEmpty(runtime.sessionDisplayId) };
  let params = null;
  try {
    params = raw ? asRecord(codec.deserialize(raw)) : null;
  } catch (err) {
    await call("onLog", ["stderr", `[switchboard] the adapter's sessionCodec could not read the stored session (${messageOf(err)}); starting fresh\n`]).catch(() => undefined);
  }
  let displayId = null;
  try {
    displayId = params && typeof codec.getDisplayId === "function" ? nonEmpty(codec.getDisplayId(params)) : null;
  } catch {
    displayId = null;
  }
  return { params, displayId: displayId ?? (params ? nonEmpty(runtime.sessionDisplayId) : null) };
}

/** The package's session result → what Switchboard stores, through the package's codec (Paperclip's rule). */
function storeSession(codec, result) {
  if (!codec || result.clearSession === true) return result;
  const explicitParams = asRecord(result.sessionParams);
  const explicitId = nonEmpty(result.sessionId);
  if (!explicitParams && !explicitId) return result;
  let serialized = null;
  try {
    serialized = asRecord(codec.serialize(explicitParams ?? { sessionId: explicitId }));
  } catch (err) {
    process.stderr.write(`[switchboard host] sessionCodec.serialize threw: ${messageOf(err)}\n`);
  }
  let restored = null;
  try {
    restored = serialized ? asRecord(codec.deserialize(serialized)) : null;
  } catch {
    restored = null;
  }
  let displayId = nonEmpty(result.sessionDisplayId);
  if (!displayId && restored && typeof codec.getDisplayId === "function") displayId = nonEmpty(codec.getDisplayId(restored));
  displayId ??= nonEmpty(restored?.sessionId) ?? explicitId;
  const out = { ...result, sessionParams: serialized, sessionDisplayId: serialized ? displayId : null };
  delete out.sessionId;
  return out;
}

function trackSpawn(meta) {
  const group = Number(meta?.processGroupId ?? meta?.pid);
  if (Number.isInteger(group) && group > 0) spawnedGroups.add(group);
}

async function execute(adapter, payload) {
  if (typeof adapter.execute !== "function") throw new HostError("adapter_failed", `Adapter "${adapter.type}" has no execute() function`);
  const codec = codecOf(adapter);
  const runtime = asRecord(payload.runtime) ?? {};
  const session = await restoreSession(codec, runtime);
  const ctx = {
    runId: payload.runId,
    agent: payload.agent,
    runtime: {
      sessionId: nonEmpty(session.params?.sessionId) ?? (codec ? null : nonEmpty(runtime.sessionId)),
      sessionParams: session.params,
      sessionDisplayId: session.displayId,
      taskKey: runtime.taskKey ?? null,
    },
    config: asRecord(payload.config) ?? {},
    context: asRecord(payload.context) ?? {},
    onLog: async (stream, chunk) => {
      let text = typeof chunk === "string" ? chunk : String(chunk);
      if (text.length > MAX_LOG_CHUNK) text = `${text.slice(0, MAX_LOG_CHUNK)}\n[switchboard] log chunk truncated\n`;
      await call("onLog", [stream === "stderr" ? "stderr" : "stdout", text]);
    },
    onMeta: async (meta) => call("onMeta", [toJson(meta)]),
    onSpawn: async (meta) => {
      trackSpawn(meta);
      await call("onSpawn", [toJson(meta)]);
    },
    onEvent: async (event) => call("onEvent", [toJson(event)]),
    onDispatch: () => undefined,
    signal: controller.signal,
  };
  // The run token reaches only packages that ask for it, as in Paperclip.
  if (typeof payload.authToken === "string" && adapter.supportsLocalAgentJwt === true) ctx.authToken = payload.authToken;
  const result = await adapter.execute(ctx);
  if (!asRecord(result)) throw new HostError("adapter_failed", `execute() of adapter "${adapter.type}" returned ${result === null ? "null" : typeof result} instead of a result object`);
  let value = toJson(storeSession(codec, result));
  if (value && JSON.stringify(value).length > MAX_RESULT_JSON) {
    value = { ...value, resultJson: { truncated: true, note: "resultJson was larger than 8 MB and was dropped" } };
  }
  return value;
}

async function testEnvironment(adapter, payload) {
  if (typeof adapter.testEnvironment !== "function") throw new HostError("adapter_failed", `Adapter "${adapter.type}" has no testEnvironment() function`);
  return toJson(await adapter.testEnvironment({ ...asRecord(payload), adapterType: adapter.type }));
}

async function start(message) {
  if (started) return;
  started = true;
  try {
    const { mod, adapter } = await loadAdapter(message.entryPath, message.packageName);
    const payload = asRecord(message.payload) ?? {};
    let value;
    if (message.op === "describe") value = describe(mod, adapter);
    else if (message.op === "testEnvironment") value = await testEnvironment(adapter, payload);
    else if (message.op === "execute") value = await execute(adapter, payload);
    else throw new HostError("adapter_failed", `Unknown host operation ${String(message.op)}`);
    await finish({ t: "done", ok: true, value });
  } catch (err) {
    const code = err instanceof HostError ? err.code : "adapter_failed";
    await finish({ t: "done", ok: false, error: { code, message: messageOf(err).slice(0, 4000) } });
  }
}

process.on("message", (message) => {
  if (!message || typeof message !== "object") return;
  if (message.t === "start") void start(message);
  else if (message.t === "reply") {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.ok) waiter.resolve();
    else waiter.reject(new Error(typeof message.error === "string" ? message.error : "Switchboard could not handle the callback"));
  } else if (message.t === "abort") {
    controller.abort(new Error("Run cancelled"));
  }
});

// Switchboard went away: nothing will read the result, so stop what the package started and leave.
process.on("disconnect", () => {
  for (const group of spawnedGroups) {
    try {
      process.kill(-group, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
  process.exit(0);
});

// A stray rejection in package code must not take the run down silently: fail it with the message.
process.on("unhandledRejection", (err) => {
  process.stderr.write(`[switchboard host] unhandled rejection: ${messageOf(err)}\n`);
});
process.on("uncaughtException", (err) => {
  void finish({ t: "done", ok: false, error: { code: "adapter_failed", message: `The adapter crashed: ${messageOf(err).slice(0, 4000)}` } });
});
