/**
 * What the fuzz test must not touch, read straight from Postgres (not through the API under test):
 * a digest of every row of one company in every tenant table — and of child tables reached through a
 * foreign key — plus the number of rows elsewhere that point at that company's ids.
 */
import pg from "pg";

export interface CompanySnapshot {
  /** table → "count:md5 of the rows" */
  tables: Record<string, string>;
  /** "table.column" → rows of OTHER companies whose uuid column holds one of this company's ids. */
  foreignReferences: Record<string, number>;
}

interface TenantLayout {
  tenantTables: string[];
  /** Tables without company_id, reached through a foreign key to a tenant table. */
  childTables: Array<{ table: string; column: string; parent: string; parentColumn: string }>;
  /** uuid columns of tenant tables (other than id and company_id), for the cross-tenant scan. */
  uuidColumns: Array<{ table: string; column: string }>;
  /** Tenant tables whose rows have a uuid `id` (the ids a company owns). */
  uuidIdTables: string[];
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function readLayout(client: pg.Client): Promise<TenantLayout> {
  const cols = await client.query<{ table_name: string; column_name: string; data_type: string }>(
    `select c.table_name, c.column_name, c.data_type from information_schema.columns c
       join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
      where c.table_schema = 'public' and t.table_type = 'BASE TABLE'`,
  );
  const tenant = new Set(cols.rows.filter((r) => r.column_name === "company_id").map((r) => r.table_name));
  const fks = await client.query<{ child: string; column: string; parent: string; parent_column: string }>(
    `select cl.relname as child, a.attname as column, pcl.relname as parent, pa.attname as parent_column
       from pg_constraint con
       join pg_class cl on cl.oid = con.conrelid
       join pg_namespace ns on ns.oid = cl.relnamespace and ns.nspname = 'public'
       join pg_class pcl on pcl.oid = con.confrelid
       join pg_attribute a on a.attrelid = con.conrelid and a.attnum = con.conkey[1]
       join pg_attribute pa on pa.attrelid = con.confrelid and pa.attnum = con.confkey[1]
      where con.contype = 'f' and array_length(con.conkey, 1) = 1`,
  );
  const childTables = fks.rows
    .filter((fk) => !tenant.has(fk.child) && (tenant.has(fk.parent) || fk.parent === "companies"))
    .map((fk) => ({ table: fk.child, column: fk.column, parent: fk.parent, parentColumn: fk.parent_column }));
  const uuidColumns = cols.rows
    .filter((r) => tenant.has(r.table_name) && r.data_type === "uuid" && r.column_name !== "id" && r.column_name !== "company_id")
    .map((r) => ({ table: r.table_name, column: r.column_name }));
  const uuidIdTables = cols.rows.filter((r) => tenant.has(r.table_name) && r.column_name === "id" && r.data_type === "uuid").map((r) => r.table_name);
  return { tenantTables: [...tenant].sort(), childTables, uuidColumns, uuidIdTables };
}

/** Snapshot of company `companyId`; compare two with `expect(after).toEqual(before)`. */
export async function snapshotCompany(databaseUrl: string, companyId: string): Promise<CompanySnapshot> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const layout = await readLayout(client);
    const tables: Record<string, string> = {};
    const digest = async (label: string, from: string, where: string) => {
      const r = await client.query<{ n: number; h: string | null }>(
        `select count(*)::int as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as h from ${from} t where ${where}`,
        [companyId],
      );
      tables[label] = `${r.rows[0]!.n}:${r.rows[0]!.h}`;
    };
    await digest("companies", "companies", "t.id = $1");
    for (const table of layout.tenantTables) await digest(table, ident(table), "t.company_id = $1");
    for (const c of layout.childTables) {
      const parentScope = c.parent === "companies" ? "p.id = $1" : "p.company_id = $1";
      await digest(`${c.table} via ${c.column}`, ident(c.table), `t.${ident(c.column)} in (select p.${ident(c.parentColumn)} from ${ident(c.parent)} p where ${parentScope})`);
    }

    // Every id this company owns, then every row of another company that names one of them.
    const idSelects = layout.uuidIdTables.map((table) => `select id from ${ident(table)} where company_id = $1`);
    const owned = await client.query<{ id: string }>([`select $1::uuid as id`, ...idSelects].join(" union "), [companyId]);
    const ownedIds = owned.rows.map((r) => r.id);
    const foreignReferences: Record<string, number> = {};
    for (const { table, column } of layout.uuidColumns) {
      const r = await client.query<{ n: number }>(
        `select count(*)::int as n from ${ident(table)} where company_id <> $1 and ${ident(column)} = any($2::uuid[])`,
        [companyId, ownedIds],
      );
      if (r.rows[0]!.n > 0) foreignReferences[`${table}.${column}`] = r.rows[0]!.n;
    }
    return { tables, foreignReferences };
  } finally {
    await client.end();
  }
}
