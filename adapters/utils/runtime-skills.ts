/**
 * The skills a run mounts, as adapters see them: `config.paperclipRuntimeSkills`, Paperclip's key
 * (`[{key, runtimeName, source, versionId?, sourceStatus?}]`, `source` an absolute directory holding
 * `SKILL.md`). executeRun materialises them in a run-private directory and sets the key; adapters read
 * it here to tell their runtime where the skills are (env, prompt, or a runtime-native layout), so an
 * agent never depends on a shared per-user folder such as `~/.claude/skills`.
 *
 * Config is user data: every field is type-checked, and an entry whose source is not an absolute path
 * is ignored rather than trusted.
 */
import fs from "node:fs";
import path from "node:path";

export interface RuntimeSkillEntry {
  key: string;
  /** The directory name the runtime sees (the key, for Switchboard's skills). */
  runtimeName: string;
  /** Absolute directory holding the skill's SKILL.md. */
  source: string;
  versionId?: string;
}

/** Runtime names become directory names: no separators, no dot-dirs. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** The usable entries of `config.paperclipRuntimeSkills` (missing sources and malformed entries are skipped). */
export function readRuntimeSkills(config: Record<string, unknown> | undefined): RuntimeSkillEntry[] {
  const raw = config?.paperclipRuntimeSkills;
  if (!Array.isArray(raw)) return [];
  const out: RuntimeSkillEntry[] = [];
  for (const item of raw) {
    if (!item || typeof item !== "object") continue;
    const e = item as Record<string, unknown>;
    if (typeof e.key !== "string" || typeof e.source !== "string" || !path.isAbsolute(e.source)) continue;
    if (e.sourceStatus !== undefined && e.sourceStatus !== "available") continue;
    const runtimeName = typeof e.runtimeName === "string" && e.runtimeName ? e.runtimeName : e.key;
    if (!SAFE_NAME.test(runtimeName)) continue;
    out.push({ key: e.key, runtimeName, source: e.source, ...(typeof e.versionId === "string" ? { versionId: e.versionId } : {}) });
  }
  return out;
}

/** The directory the skills share (`PAPERCLIP_SKILLS_DIR`), or null when there are none or they are scattered. */
export function runtimeSkillsRoot(skills: RuntimeSkillEntry[]): string | null {
  const parents = new Set(skills.map((s) => path.dirname(s.source)));
  return parents.size === 1 ? [...parents][0]! : null;
}

/** The SKILL.md of an entry. */
export function skillFilePath(skill: RuntimeSkillEntry): string {
  return path.join(skill.source, "SKILL.md");
}

/**
 * A short prompt section naming each mounted skill and its SKILL.md, for runtimes that have no native
 * skill loading (empty when the run has no skills).
 */
export function skillsPromptSection(skills: RuntimeSkillEntry[]): string {
  if (skills.length === 0) return "";
  const lines = skills.map((s) => `- ${s.runtimeName}: ${skillFilePath(s)}`);
  return ["", "", "## Skills mounted for this run", "Read a skill's SKILL.md before doing what its description covers (the `switchboard` skill is the heartbeat protocol).", ...lines].join("\n");
}

/**
 * Copies each skill directory to `<targetDir>/<runtimeName>/` (for runtimes that discover skills in a
 * folder of their own, such as Claude Code's `.claude/skills`). Copies, not symlinks: the runtime sees
 * exactly the version this run mounted, and the target lives inside the run's private directory.
 */
export function copySkillsInto(skills: RuntimeSkillEntry[], targetDir: string): void {
  fs.mkdirSync(targetDir, { recursive: true, mode: 0o700 });
  for (const skill of skills) {
    fs.cpSync(skill.source, path.join(targetDir, skill.runtimeName), { recursive: true, dereference: true });
  }
}
