/**
 * The company skill rows (`company_skills`): the skills a company adds to its library beside the
 * built-ins. Reads take any Kysely handle; writes are meant to run in the caller's transaction, next to
 * the activity row that records them.
 */
import { sql } from "kysely";
import type { Db } from "../../db/connection.js";

export interface CompanySkillInput {
  key: string;
  name: string;
  description: string | null;
  markdown: string;
}

export interface SkillAuthor {
  userId: string | null;
  agentId: string | null;
}

const COLUMNS = ["id", "companyId", "key", "name", "description", "markdown", "createdByAgentId", "createdByUserId", "createdAt", "updatedAt"] as const;

export function listCompanySkillRows(db: Db, companyId: string) {
  return db.selectFrom("company_skills").select(COLUMNS).where("companyId", "=", companyId).orderBy("key").execute();
}

export function getCompanySkillRow(db: Db, companyId: string, key: string, opts: { forUpdate?: boolean } = {}) {
  let q = db.selectFrom("company_skills").select(COLUMNS).where("companyId", "=", companyId).where("key", "=", key);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export type CompanySkillRow = NonNullable<Awaited<ReturnType<typeof getCompanySkillRow>>>;

export function insertCompanySkill(db: Db, companyId: string, input: CompanySkillInput, author: SkillAuthor) {
  return db
    .insertInto("company_skills")
    .values({
      companyId,
      key: input.key,
      slug: input.key,
      name: input.name,
      description: input.description,
      markdown: input.markdown,
      sourceType: "inline",
      createdByAgentId: author.agentId,
      createdByUserId: author.userId,
    })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
}

export function updateCompanySkill(db: Db, id: string, patch: Partial<Omit<CompanySkillInput, "key">>) {
  return db
    .updateTable("company_skills")
    .set({ ...patch, updatedAt: sql`now()` })
    .where("id", "=", id)
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
}

export async function deleteCompanySkill(db: Db, id: string): Promise<void> {
  await db.deleteFrom("company_skills").where("id", "=", id).execute();
}
