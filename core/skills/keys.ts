/**
 * Rules every skill key and body follows (the migration enforces the same ones in Postgres): a key is
 * a lowercase slug because it becomes a directory name in every run that mounts it, and a body is
 * bounded because it is copied into every such run.
 */
import { createHash } from "node:crypto";

export const SKILL_KEY_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const SKILL_KEY_MAX_LENGTH = 64;
export const SKILL_MARKDOWN_MAX_BYTES = 256 * 1024;

/** The protocol skill: mounted on every run of an adapter that mounts skills, whatever the agent chose. */
export const ALWAYS_MOUNTED_SKILL = "switchboard";

export function isSkillKey(value: string): boolean {
  return value.length <= SKILL_KEY_MAX_LENGTH && SKILL_KEY_PATTERN.test(value);
}

/** A skill version: the first 12 hex characters of the sha256 of the SKILL.md a run receives. */
export function skillVersionId(content: string): string {
  return createHash("sha256").update(content, "utf8").digest("hex").slice(0, 12);
}
