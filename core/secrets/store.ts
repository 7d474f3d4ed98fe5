/**
 * Company secrets in Postgres: `company_secrets` holds metadata, `company_secret_versions` one row per
 * value (encrypted material + sha256). Nothing here returns a value or material to a caller: reads
 * return metadata only; decryption happens in resolve-env.ts, inside a run.
 */
import type { Kysely, Selectable, Transaction } from "kysely";
import { sql } from "kysely";
import type { CompanySecretTable, Database } from "../../db/schema.js";
import { conflict, unprocessable } from "../errors.js";
import { secretRefsOf } from "./env-bindings.js";
import { encryptSecretValue, LOCAL_ENCRYPTED_PROVIDER } from "./local-encrypted.js";

type Executor = Kysely<Database> | Transaction<Database>;

/** What the API shows of a secret: every metadata column, never the value or its material. */
export type SecretMetadata = Selectable<CompanySecretTable>;

export interface SecretAuthor {
  userId: string | null;
  agentId: string | null;
}

const UNIQUE_VIOLATION = "23505";

function duplicateName(err: unknown, name: string): never {
  if ((err as { code?: unknown }).code === UNIQUE_VIOLATION) {
    throw conflict(`A secret named "${name}" already exists in this company`, { code: "secret_name_taken", name });
  }
  throw err;
}

export function listSecrets(db: Executor, companyId: string): Promise<SecretMetadata[]> {
  return db.selectFrom("company_secrets").selectAll().where("companyId", "=", companyId).orderBy("name").execute();
}

export function getSecret(db: Executor, id: string, opts: { forUpdate?: boolean } = {}): Promise<SecretMetadata | undefined> {
  let q = db.selectFrom("company_secrets").selectAll().where("id", "=", id);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

async function insertVersion(trx: Transaction<Database>, secretId: string, version: number, value: string, masterKey: Buffer, author: SecretAuthor) {
  const { material, valueSha256 } = encryptSecretValue(masterKey, value);
  await trx
    .insertInto("company_secret_versions")
    .values({ secretId, version, material: material as never, valueSha256, createdByUserId: author.userId, createdByAgentId: author.agentId })
    .execute();
}

export async function createSecret(
  trx: Transaction<Database>,
  input: { companyId: string; name: string; description: string | null; value: string; masterKey: Buffer; author: SecretAuthor },
): Promise<SecretMetadata> {
  // A duplicate name aborts the transaction: the caller gets a 409 and nothing is written.
  const created = await trx
    .insertInto("company_secrets")
    .values({
      companyId: input.companyId,
      name: input.name,
      provider: LOCAL_ENCRYPTED_PROVIDER,
      latestVersion: 1,
      description: input.description,
      createdByUserId: input.author.userId,
      createdByAgentId: input.author.agentId,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
    .catch((err: unknown) => duplicateName(err, input.name));
  await insertVersion(trx, created.id, 1, input.value, input.masterKey, input.author);
  return created;
}

export async function updateSecret(trx: Transaction<Database>, id: string, patch: { name?: string; description?: string | null }): Promise<SecretMetadata> {
  return trx
    .updateTable("company_secrets")
    .set({ ...patch, updatedAt: sql`now()` })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirstOrThrow()
    .catch((err: unknown) => duplicateName(err, patch.name ?? ""));
}

/** A new version becomes the latest; older versions stay, so a binding pinned to one keeps working. */
export async function rotateSecret(
  trx: Transaction<Database>,
  /** Loaded `FOR UPDATE` in this transaction: the lock serialises rotations, each gets its own version. */
  current: SecretMetadata,
  input: { value: string; masterKey: Buffer; author: SecretAuthor },
): Promise<SecretMetadata> {
  const id = current.id;
  const version = current.latestVersion + 1;
  await insertVersion(trx, id, version, input.value, input.masterKey, input.author);
  return trx
    .updateTable("company_secrets")
    .set({ latestVersion: version, updatedAt: sql`now()` })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Deletes the secret and (by cascade) every version; agents still bound to it fail their next run. */
export async function deleteSecret(trx: Transaction<Database>, id: string): Promise<void> {
  await trx.deleteFrom("company_secrets").where("id", "=", id).execute();
}

/**
 * For agent create/PATCH: every `secret_ref` in the config names a secret of this company (a 422
 * naming the env key otherwise). Runs check again when they start: the secret may be deleted later.
 */
export async function assertSecretRefsInCompany(db: Executor, companyId: string, adapterConfig: unknown): Promise<void> {
  const refs = secretRefsOf(adapterConfig);
  if (refs.length === 0) return;
  const ids = [...new Set(refs.map((r) => r.ref.secretId))];
  const found = new Set((await db.selectFrom("company_secrets").select("id").where("companyId", "=", companyId).where("id", "in", ids).execute()).map((r) => r.id));
  const missing = refs.filter((r) => !found.has(r.ref.secretId));
  if (missing.length > 0) {
    throw unprocessable(`adapterConfig.env ${missing.map((m) => m.key).join(", ")}: no such secret in this company`, {
      code: "secret_not_found",
      envKeys: missing.map((m) => m.key),
    });
  }
}
