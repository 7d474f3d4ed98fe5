/**
 * Static migration registry. Kysely's FileMigrationProvider reads the
 * directory at run time, which breaks under bundlers and is awkward with tsx;
 * a static map works everywhere. Add new migrations here, keyed by file name
 * (keys sort alphabetically, so keep the zero-padded prefix).
 */
import type { Migration, MigrationProvider } from "kysely";

import * as m0001 from "./0001_core_schema.js";
import * as m0002 from "./0002_issue_indexes.js";
import * as m0006 from "./0006_issue_lock_indexes.js";
import * as m0007 from "./0007_issue_change_notify.js";
import * as m0008 from "./0008_skills.js";

export const migrations: Record<string, Migration> = {
  "0001_core_schema": { up: m0001.up, down: m0001.down },
  "0002_issue_indexes": { up: m0002.up, down: m0002.down },
  "0006_issue_lock_indexes": { up: m0006.up, down: m0006.down },
  "0007_issue_change_notify": { up: m0007.up, down: m0007.down },
  "0008_skills": { up: m0008.up, down: m0008.down },
};

/** `new Migrator({ db, provider: staticMigrationProvider })` */
export const staticMigrationProvider: MigrationProvider = {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  },
};
