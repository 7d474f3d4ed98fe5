/** Adapter types Switchboard can run, keyed by `agents.adapter_type`. */
import { BUILTIN_ADAPTERS } from "./builtins.js";
import type { BuiltinAdapter } from "./types.js";

const builtins = new Map<string, BuiltinAdapter>(BUILTIN_ADAPTERS.map((a) => [a.module.type, a]));

export function getAdapter(type: string): BuiltinAdapter | undefined {
  return builtins.get(type);
}

export function listAdapterTypes(): string[] {
  return [...builtins.keys()];
}
