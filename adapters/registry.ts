/** Adapter types Switchboard can run, keyed by `agents.adapter_type`. */
import { processAdapter } from "./process/index.js";
import type { BuiltinAdapter } from "./types.js";

const builtins = new Map<string, BuiltinAdapter>([[processAdapter.module.type, processAdapter]]);

export function getAdapter(type: string): BuiltinAdapter | undefined {
  return builtins.get(type);
}

export function listAdapterTypes(): string[] {
  return [...builtins.keys()];
}
