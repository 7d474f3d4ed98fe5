/**
 * 0008: skills a company adds to its library, and which skills each run had.
 *
 * `company_skills` exists since 0001 (Paperclip's shape, unused until now): this adds who created a
 * skill and the rules the API enforces, so a row written any other way cannot break a run either —
 * the key is a lowercase slug (it becomes a directory name in every run) and the markdown stays
 * under 256 KB (it is copied into every run that mounts it). Built-in keys are files on disk, so
 * "must not shadow a built-in" is checked by the API, not here.
 *
 * `heartbeat_runs.mounted_skills`: `[{key, source: "builtin" | "company", versionId}]` for runs of an
 * adapter that mounts skills; null for the others (and for runs before this migration).
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table company_skills
      add column created_by_agent_id uuid references agents(id) on delete set null,
      add column created_by_user_id  text,
      add constraint company_skills_key_slug_chk check (key ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and char_length(key) <= 64),
      add constraint company_skills_markdown_size_chk check (octet_length(markdown) <= 262144)`.execute(db);
  await sql`alter table heartbeat_runs add column mounted_skills jsonb`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table heartbeat_runs drop column if exists mounted_skills`.execute(db);
  await sql`
    alter table company_skills
      drop constraint if exists company_skills_markdown_size_chk,
      drop constraint if exists company_skills_key_slug_chk,
      drop column if exists created_by_user_id,
      drop column if exists created_by_agent_id`.execute(db);
}
