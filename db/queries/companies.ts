import type { Insertable } from "kysely";
import type { Db } from "../connection.js";
import type { CompanyTable } from "../schema.js";
import { deriveIssuePrefixBase, issuePrefixCandidates } from "../../core/issue-prefix.js";

export type NewCompanyInput = Omit<Insertable<CompanyTable>, "issuePrefix" | "id">;

/** Inserts a company with the first free issue prefix derived from its name (ABC, ABCA, ABCAA …). */
export async function insertCompany(db: Db, input: NewCompanyInput) {
  const base = deriveIssuePrefixBase(input.name);
  const taken = new Set((await db.selectFrom("companies").select("issuePrefix").where("issuePrefix", "like", `${base}%`).execute()).map((r) => r.issuePrefix));
  for (const prefix of issuePrefixCandidates(input.name)) {
    if (taken.has(prefix)) continue;
    const row = await db
      .insertInto("companies")
      .values({ ...input, issuePrefix: prefix })
      .onConflict((oc) => oc.column("issuePrefix").doNothing())
      .returningAll()
      .executeTakeFirst();
    if (row) return row; // else a concurrent create took this prefix: try the next one
  }
  throw new Error("no free issue prefix");
}

export function getCompany(db: Db, id: string) {
  return db.selectFrom("companies").selectAll().where("id", "=", id).executeTakeFirst();
}

export function listCompanies(db: Db) {
  return db.selectFrom("companies").selectAll().orderBy("createdAt").execute();
}
