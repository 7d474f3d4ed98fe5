/**
 * Per-run skill delivery. Paperclip installs skills into shared per-user homes (`~/.claude/skills`,
 * shared by every agent and runtime on the machine); here each run gets its own copy instead:
 * `<home>/runs/<runId>/skills/<key>/SKILL.md` (directories 0700), handed to the adapter as
 * `config.paperclipRuntimeSkills`, recorded on the run (`heartbeat_runs.mounted_skills`) and removed
 * when the run ends. Two agents — or two runs of one agent — never see each other's skill set, and the
 * run record says exactly which versions an agent had.
 */
import fs from "node:fs";
import path from "node:path";
import { resolveAgentSkills, skillDeliveryFor } from "../core/skills/desired.js";
import { loadSkillLibrary } from "../core/skills/library.js";
import type { MountedSkill, SkillRecord } from "../core/skills/types.js";
import type { Db } from "../db/connection.js";
import { withDbRetry } from "./retry-db.js";

export interface RunSkillsInput {
  db: Db;
  /** SWITCHBOARD_HOME: the run directory lives under it. */
  home: string;
  runId: string;
  companyId: string;
  adapterType: string;
  /** The agent's stored adapterConfig (its `paperclipSkillSync` preference). */
  adapterConfig: unknown;
  /** A system line for the run log. */
  log: (line: string) => Promise<void>;
}

export interface RunSkills {
  mounted: MountedSkill[];
  /** The adapter's config for this run: `paperclipRuntimeSkills` set to the mounted skills (or removed). */
  applyTo(config: Record<string, unknown>): Record<string, unknown>;
  /** Removes the run directory (call when the run ends, whatever happened). */
  cleanup(): void;
}

export function runDirectory(home: string, runId: string): string {
  return path.join(home, "runs", runId);
}

/** Runs of adapters without skills: a hand-written `paperclipRuntimeSkills` must not point them at arbitrary paths. */
const NO_SKILLS: RunSkills = {
  mounted: [],
  applyTo: (config) => {
    const { paperclipRuntimeSkills: _ignored, ...rest } = config;
    return rest;
  },
  cleanup: () => undefined,
};

export async function mountRunSkills(input: RunSkillsInput): Promise<RunSkills> {
  if (skillDeliveryFor(input.adapterType) === "none") return NO_SKILLS;
  const library = await withDbRetry(() => loadSkillLibrary(input.db, input.companyId));
  const resolved = resolveAgentSkills(library, input.adapterConfig);

  // A previous attempt of this run (its worker died) may have left the directory: start clean.
  const runDir = runDirectory(input.home, input.runId);
  fs.rmSync(runDir, { recursive: true, force: true });
  const skillsDir = path.join(runDir, "skills");
  const mounted: MountedSkill[] = resolved.mounted.map((s) => ({ key: s.key, source: s.source, versionId: s.versionId }));
  let runtimeSkills: RuntimeSkillConfigEntry[];
  try {
    runtimeSkills = materialise(resolved.mounted, skillsDir);
    await withDbRetry(() =>
      input.db.updateTable("heartbeat_runs").set({ mountedSkills: JSON.stringify(mounted) as never }).where("id", "=", input.runId).execute(),
    );
  } catch (err) {
    fs.rmSync(runDir, { recursive: true, force: true });
    throw err;
  }
  const list = mounted.map((s) => `${s.key} (${s.source} ${s.versionId})`).join(", ") || "none";
  await input.log(`[switchboard] skills mounted: ${list} in ${skillsDir}\n`);
  for (const warning of resolved.warnings) await input.log(`[switchboard] skills: ${warning}\n`);

  return {
    mounted,
    applyTo: (config) => ({ ...config, paperclipRuntimeSkills: runtimeSkills }),
    cleanup: () => fs.rmSync(runDir, { recursive: true, force: true }),
  };
}

/** One element of `config.paperclipRuntimeSkills` (Paperclip's shape). */
interface RuntimeSkillConfigEntry {
  key: string;
  runtimeName: string;
  source: string;
  versionId: string;
  sourceStatus: "available";
}

function materialise(skills: SkillRecord[], skillsDir: string): RuntimeSkillConfigEntry[] {
  fs.mkdirSync(skillsDir, { recursive: true, mode: 0o700 });
  return skills.map((skill) => {
    const dir = path.join(skillsDir, skill.key);
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.writeFileSync(path.join(dir, "SKILL.md"), skill.content, { mode: 0o600 });
    return { key: skill.key, runtimeName: skill.key, source: dir, versionId: skill.versionId, sourceStatus: "available" };
  });
}
