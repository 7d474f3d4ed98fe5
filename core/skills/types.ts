/**
 * Shapes of the skills feature: a library entry (built-in or company), what a run records as mounted,
 * and Paperclip's skills contract (`AdapterSkillSnapshot` / `AdapterSkillEntry`, reference §1.9) that
 * `GET /api/agents/:id/skills` answers with.
 */

export type SkillSource = "builtin" | "company";

/** One skill of a company's library, as an agent would receive it. */
export interface SkillRecord {
  key: string;
  name: string;
  description: string | null;
  source: SkillSource;
  /** sha256 of the SKILL.md a run receives, first 12 hex characters. */
  versionId: string;
  /** The SKILL.md a run receives (company skills get a frontmatter header when theirs has none). */
  content: string;
  /** Company skills only. */
  row?: {
    id: string;
    companyId: string;
    markdown: string;
    createdByAgentId: string | null;
    createdByUserId: string | null;
    createdAt: Date;
    updatedAt: Date;
  };
}

/** One element of `heartbeat_runs.mounted_skills`. */
export interface MountedSkill {
  key: string;
  source: SkillSource;
  versionId: string;
}

export interface AdapterSkillEntry {
  key: string;
  runtimeName: string;
  desired: boolean;
  managed: boolean;
  state: "configured" | "missing";
  origin: "company_managed";
  originLabel: string;
  readOnly: boolean;
  versionId: string | null;
  detail: string;
}

export interface AdapterSkillSnapshot {
  adapterType: string;
  supported: boolean;
  mode: "ephemeral" | "unsupported";
  desiredSkills: string[];
  entries: AdapterSkillEntry[];
  warnings: string[];
}
