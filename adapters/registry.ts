/**
 * Adapter types Switchboard can run, keyed by `agents.adapter_type`: the built-ins (adapters/builtins.ts)
 * and the external packages recorded in `<home>/adapter-plugins.json`. The store is read through an
 * mtime cache, so a package installed by the API process is runnable by a worker sharing the home.
 *
 * Disabled types (Paperclip's `adapter-settings.json` `disabledTypes`, or a record's `disabled`) keep
 * running for existing agents but are not offered for new ones.
 */
import { BUILTIN_ADAPTERS } from "./builtins.js";
import { createExternalAdapter, type ExternalAdapterHome } from "./external/external-adapter.js";
import { AdapterPluginStore, type AdapterPluginRecord } from "./external/plugin-store.js";
import type { BuiltinAdapter } from "./types.js";

const builtins = new Map<string, BuiltinAdapter>(BUILTIN_ADAPTERS.map((a) => [a.module.type, a]));

let home: ExternalAdapterHome | null = null;
/** One proxy per record version, so callers may compare or keep adapters between calls. */
const externals = new Map<string, { key: string; adapter: BuiltinAdapter }>();

/** Called once at start-up (cli/runtime.ts): where external packages live and the URL their agents call. */
export function useAdapterHome(dir: string, agentApiUrl: string): void {
  home = { store: new AdapterPluginStore(dir), agentApiUrl };
  externals.clear();
}

/** The external-adapter home, once start-up has set it (routes and tests use it). */
export function adapterHome(): ExternalAdapterHome | null {
  return home;
}

export function isBuiltinAdapterType(type: string): boolean {
  return builtins.has(type);
}

export function builtinAdapterList(): BuiltinAdapter[] {
  return [...builtins.values()];
}

export function externalAdapterRecords(): AdapterPluginRecord[] {
  // Built-in types win: a hand-edited record cannot shadow one.
  return home ? home.store.list().filter((r) => !builtins.has(r.type)) : [];
}

function externalAdapter(type: string): BuiltinAdapter | undefined {
  if (!home) return undefined;
  const record = home.store.get(type);
  if (!record) return undefined;
  const key = JSON.stringify([record.packageName, record.localPath ?? null, record.version ?? null, record.installedAt, home.agentApiUrl]);
  const hit = externals.get(type);
  if (hit && hit.key === key) return hit.adapter;
  const adapter = createExternalAdapter(record, home);
  externals.set(type, { key, adapter });
  return adapter;
}

export function getAdapter(type: string): BuiltinAdapter | undefined {
  return builtins.get(type) ?? externalAdapter(type);
}

export function isAdapterTypeDisabled(type: string): boolean {
  return home ? home.store.isDisabled(type) : false;
}

/** Types a new agent may use: built-ins and installed packages, minus the disabled ones. */
export function listAdapterTypes(): string[] {
  const types = [...builtins.keys(), ...externalAdapterRecords().map((r) => r.type)];
  return types.filter((t) => !isAdapterTypeDisabled(t));
}
