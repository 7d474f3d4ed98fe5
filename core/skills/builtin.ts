/**
 * The skills that ship with Switchboard: `skills/<key>/SKILL.md` at the repository root, read from disk
 * each time (they are a few small files, and an edit shows up without a restart). The directory is
 * found relative to this file, never to process.cwd(): workers may start anywhere.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseSkillFrontmatter } from "./frontmatter.js";
import { isSkillKey, skillVersionId } from "./keys.js";
import type { SkillRecord } from "./types.js";

export const BUILTIN_SKILLS_DIR = fileURLToPath(new URL("../../skills/", import.meta.url));

/** Every built-in skill whose SKILL.md is readable, sorted by key. */
export function listBuiltinSkills(dir = BUILTIN_SKILLS_DIR): SkillRecord[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && isSkillKey(d.name)).map((d) => d.name);
  } catch {
    return [];
  }
  const out: SkillRecord[] = [];
  for (const key of names.sort()) {
    let content: string;
    try {
      content = fs.readFileSync(path.join(dir, key, "SKILL.md"), "utf8");
    } catch {
      continue; // a directory without SKILL.md is not a skill (yet)
    }
    const meta = parseSkillFrontmatter(content);
    out.push({ key, name: meta.name || key, description: meta.description ?? null, source: "builtin", versionId: skillVersionId(content), content });
  }
  return out;
}

/** Keys reserved by built-ins: every skill directory, even one whose SKILL.md is not written yet. */
export function builtinSkillKeys(dir = BUILTIN_SKILLS_DIR): Set<string> {
  try {
    return new Set(fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && isSkillKey(d.name)).map((d) => d.name));
  } catch {
    return new Set();
  }
}
