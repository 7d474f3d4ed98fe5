/**
 * A company's skill library: the built-ins (files shipped with Switchboard) plus the company's own
 * skills (rows). Keys never collide — the API refuses a company key that names a built-in — but should a
 * built-in appear later with a key a company already uses, the built-in wins (it is the one documented).
 */
import type { Db } from "../../db/connection.js";
import { listBuiltinSkills } from "./builtin.js";
import { listCompanySkillRows, type CompanySkillRow } from "./company-skills.js";
import { hasFrontmatter } from "./frontmatter.js";
import { skillVersionId } from "./keys.js";
import type { SkillRecord } from "./types.js";

/**
 * The SKILL.md a run receives for a company skill: its markdown, headed with `name`/`description`
 * frontmatter when it has none (runtimes such as Claude Code only load a skill that declares both).
 */
export function companySkillContent(row: Pick<CompanySkillRow, "key" | "name" | "description" | "markdown">): string {
  if (hasFrontmatter(row.markdown)) return row.markdown;
  // JSON strings are valid YAML double-quoted scalars: any name or description is safe here.
  const description = (row.description ?? row.name).replace(/\s+/g, " ").trim() || row.key;
  return `---\nname: ${row.key}\ndescription: ${JSON.stringify(description)}\n---\n\n${row.markdown}`;
}

export function companySkillRecord(row: CompanySkillRow): SkillRecord {
  const content = companySkillContent(row);
  return {
    key: row.key,
    name: row.name,
    description: row.description,
    source: "company",
    versionId: skillVersionId(content),
    content,
    row: {
      id: row.id,
      companyId: row.companyId,
      markdown: row.markdown,
      createdByAgentId: row.createdByAgentId,
      createdByUserId: row.createdByUserId,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    },
  };
}

export async function loadSkillLibrary(db: Db, companyId: string): Promise<SkillRecord[]> {
  const builtins = listBuiltinSkills();
  const taken = new Set(builtins.map((s) => s.key));
  const company = (await listCompanySkillRows(db, companyId)).filter((r) => !taken.has(r.key)).map(companySkillRecord);
  return [...builtins, ...company];
}
