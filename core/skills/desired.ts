/**
 * Which skills an agent gets. The agent's choice is `adapterConfig.paperclipSkillSync.desiredSkills`
 * (Paperclip's key, so configs move between the two unchanged); without one it gets every built-in.
 * The `switchboard` protocol skill is always added. A desired key the library does not have is
 * reported as missing — never a reason to fail a run.
 */
import { isBuiltinAdapterType } from "../../adapters/registry.js";
import { ALWAYS_MOUNTED_SKILL } from "./keys.js";
import type { SkillRecord } from "./types.js";

/** Built-in adapters whose runtime can use skills (every CLI adapter). */
export const SKILL_ADAPTER_TYPES: ReadonlySet<string> = new Set(["claude_local", "codex_local", "gemini_local", "opencode_local", "cursor", "pi_local", "hermes_local"]);

/**
 * How a run of this adapter type gets skills: `mounted` (materialised, recorded on the run, reported as
 * supported), `config_only` (external packages: materialised and passed as `paperclipRuntimeSkills` for
 * packages that read it, but Switchboard cannot promise the runtime uses them), or `none`.
 */
export function skillDeliveryFor(adapterType: string): "mounted" | "config_only" | "none" {
  if (SKILL_ADAPTER_TYPES.has(adapterType)) return "mounted";
  return isBuiltinAdapterType(adapterType) ? "none" : "config_only";
}

/** The stored preference, or null when the agent has none (strings, or Paperclip's `{key, versionId}`). */
export function readSkillPreference(adapterConfig: unknown): string[] | null {
  if (!adapterConfig || typeof adapterConfig !== "object") return null;
  const sync = (adapterConfig as Record<string, unknown>).paperclipSkillSync;
  if (!sync || typeof sync !== "object") return null;
  const desired = (sync as Record<string, unknown>).desiredSkills;
  if (!Array.isArray(desired)) return null;
  const keys = desired.map((d) => (typeof d === "string" ? d : d && typeof d === "object" && typeof (d as { key?: unknown }).key === "string" ? (d as { key: string }).key : null));
  return unique(keys.filter((k): k is string => k !== null && k.trim() !== "").map((k) => k.trim()));
}

export interface ResolvedSkills {
  /** The effective desired keys: the protocol skill first, then the agent's choice (or the default). */
  desiredSkills: string[];
  mounted: SkillRecord[];
  missing: string[];
  /** True when the agent has no preference and gets the default set. */
  usesDefault: boolean;
  warnings: string[];
}

export function defaultSkillKeys(library: SkillRecord[]): string[] {
  return library.filter((s) => s.source === "builtin").map((s) => s.key);
}

export function resolveAgentSkills(library: SkillRecord[], adapterConfig: unknown): ResolvedSkills {
  const preference = readSkillPreference(adapterConfig);
  const desiredSkills = unique([ALWAYS_MOUNTED_SKILL, ...(preference ?? defaultSkillKeys(library))]);
  const byKey = new Map(library.map((s) => [s.key, s]));
  const mounted = desiredSkills.map((k) => byKey.get(k)).filter((s): s is SkillRecord => s !== undefined);
  const missing = desiredSkills.filter((k) => !byKey.has(k));
  const warnings = missing.map((k) =>
    k === ALWAYS_MOUNTED_SKILL
      ? `The built-in "${k}" skill (the heartbeat protocol) is missing from this installation's skills/ directory; runs go without it.`
      : `Skill "${k}" is desired but is neither a built-in nor one of the company's skills: it is not mounted. Add it with POST /api/companies/:companyId/skills or remove it from the agent's skills.`,
  );
  return { desiredSkills, mounted, missing, usesDefault: preference === null, warnings };
}

export type SkillSyncMode = "replace" | "add" | "remove";

/** The next stored preference: `current` is the agent's preference, or the default set when it has none. */
export function nextSkillPreference(current: string[], requested: string[], mode: SkillSyncMode): string[] {
  const wanted = unique(requested.map((k) => k.trim()).filter(Boolean));
  if (mode === "replace") return wanted;
  if (mode === "add") return unique([...current, ...wanted]);
  const drop = new Set(wanted);
  return current.filter((k) => !drop.has(k));
}

function unique(keys: string[]): string[] {
  return [...new Set(keys)];
}
