/**
 * Paperclip's skills contract for one agent (`listSkills` / `syncSkills`, reference §1.9): what the
 * agent's next run will mount and why. Switchboard mounts skills per run ("ephemeral" mode) — nothing
 * is installed into a shared home folder, so there is never anything stale to report; `syncSkills`
 * only changes the stored preference, and the snapshot shows its effect.
 */
import type { Db } from "../../db/connection.js";
import { nextSkillPreference, readSkillPreference, defaultSkillKeys, resolveAgentSkills, skillDeliveryFor, type SkillSyncMode } from "./desired.js";
import { ALWAYS_MOUNTED_SKILL } from "./keys.js";
import { loadSkillLibrary } from "./library.js";
import type { AdapterSkillEntry, AdapterSkillSnapshot, SkillRecord } from "./types.js";

/** Paperclip's `AdapterSkillContext`. */
export interface AdapterSkillContext {
  agentId: string;
  companyId: string;
  adapterType: string;
  config: unknown;
}

function mountedEntry(skill: SkillRecord): AdapterSkillEntry {
  const builtin = skill.source === "builtin";
  const why = skill.key === ALWAYS_MOUNTED_SKILL ? "Always mounted (the heartbeat protocol). " : "";
  return {
    key: skill.key,
    runtimeName: skill.key,
    desired: true,
    managed: true,
    state: "configured",
    origin: "company_managed",
    originLabel: builtin ? "Built-in skill" : "Company skill",
    readOnly: builtin,
    versionId: skill.versionId,
    detail: `${why}Copied into the run's private directory at the start of every run and removed when it ends.`,
  };
}

function missingEntry(key: string): AdapterSkillEntry {
  return {
    key,
    runtimeName: key,
    desired: true,
    managed: true,
    state: "missing",
    origin: "company_managed",
    originLabel: "Unknown skill",
    readOnly: true,
    versionId: null,
    detail: "Not a built-in skill nor one of the company's skills: runs go without it.",
  };
}

/** The snapshot for an agent, given its company's library. */
export function buildSkillSnapshot(library: SkillRecord[], ctx: AdapterSkillContext): AdapterSkillSnapshot {
  const resolved = resolveAgentSkills(library, ctx.config);
  const delivery = skillDeliveryFor(ctx.adapterType);
  const entries = [...resolved.mounted.map(mountedEntry), ...resolved.missing.map(missingEntry)];
  const order = new Map(resolved.desiredSkills.map((k, i) => [k, i]));
  entries.sort((a, b) => (order.get(a.key) ?? 0) - (order.get(b.key) ?? 0));
  if (delivery === "none") {
    return {
      adapterType: ctx.adapterType,
      supported: false,
      mode: "unsupported",
      desiredSkills: resolved.desiredSkills,
      entries: [],
      warnings: [`The ${ctx.adapterType} adapter does not run a skill-aware runtime: its runs mount no skills. The preference is kept for when the agent moves to a CLI adapter.`],
    };
  }
  const warnings = [...resolved.warnings];
  if (delivery === "config_only") {
    warnings.unshift(`${ctx.adapterType} is an external adapter: its runs receive the skills as config.paperclipRuntimeSkills, and whether its runtime uses them depends on the package.`);
  }
  return { adapterType: ctx.adapterType, supported: delivery === "mounted", mode: delivery === "mounted" ? "ephemeral" : "unsupported", desiredSkills: resolved.desiredSkills, entries, warnings };
}

/** `listSkills`: what the agent's next run mounts. */
export async function listSkills(db: Db, ctx: AdapterSkillContext): Promise<AdapterSkillSnapshot> {
  return buildSkillSnapshot(await loadSkillLibrary(db, ctx.companyId), ctx);
}

/**
 * The adapterConfig a `syncSkills` request leads to: `paperclipSkillSync.desiredSkills` replaced, added
 * to or removed from (starting from the default set when the agent had no preference), every other key
 * of the config — and of `paperclipSkillSync` — kept.
 */
export function adapterConfigWithSkills(library: SkillRecord[], adapterConfig: unknown, requested: string[], mode: SkillSyncMode): { adapterConfig: Record<string, unknown>; warnings: string[] } {
  const config = adapterConfig && typeof adapterConfig === "object" && !Array.isArray(adapterConfig) ? (adapterConfig as Record<string, unknown>) : {};
  const current = readSkillPreference(config) ?? defaultSkillKeys(library);
  const desiredSkills = nextSkillPreference(current, requested, mode);
  const sync = config.paperclipSkillSync && typeof config.paperclipSkillSync === "object" ? (config.paperclipSkillSync as Record<string, unknown>) : {};
  const warnings: string[] = [];
  if (mode === "remove" && requested.includes(ALWAYS_MOUNTED_SKILL)) warnings.push(`"${ALWAYS_MOUNTED_SKILL}" is the heartbeat protocol: it stays mounted on every run.`);
  return { adapterConfig: { ...config, paperclipSkillSync: { ...sync, desiredSkills } }, warnings };
}
