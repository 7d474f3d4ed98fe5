/** Adapter types Switchboard can run, keyed by `agents.adapter_type`. */
import { claudeLocalAdapter } from "./claude-local/index.js";
import { codexLocalAdapter } from "./codex-local/index.js";
import { processAdapter } from "./process/index.js";
import type { BuiltinAdapter } from "./types.js";

const builtins = new Map<string, BuiltinAdapter>([
  [processAdapter.module.type, processAdapter],
  [claudeLocalAdapter.module.type, claudeLocalAdapter],
  [codexLocalAdapter.module.type, codexLocalAdapter],
]);

export function getAdapter(type: string): BuiltinAdapter | undefined {
  return builtins.get(type);
}

export function listAdapterTypes(): string[] {
  return [...builtins.keys()];
}
