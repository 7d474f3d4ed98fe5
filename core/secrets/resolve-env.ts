/**
 * Run-time resolution of `adapterConfig.env` bindings: the only place a secret value is decrypted.
 * The result (a config whose bindings are now strings) goes to the adapter and nowhere else — not back to
 * the agent row, not into Temporal history, not into logs. The resolved values come back too, so the
 * caller can scrub them from the run's output.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";
import { envOf, plainEnvBindingSchema, secretRefEnvBindingSchema, type SecretRefEnvBinding } from "./env-bindings.js";
import { decryptSecretMaterial, SecretMaterialError } from "./local-encrypted.js";

export type SecretResolutionCode = "secret_not_found" | "secret_version_not_found" | "secret_unreadable" | "invalid_env_binding";

/** Why a run cannot start. The message names env keys and secret ids, never a value. */
export class SecretResolutionError extends Error {
  override name = "SecretResolutionError";
  constructor(
    readonly code: SecretResolutionCode,
    message: string,
  ) {
    super(message);
  }
}

export interface ResolvedAdapterConfig {
  config: Record<string, unknown>;
  /** Decrypted values of `secret_ref` bindings, for scrubbing the run's output. */
  secretValues: string[];
}

async function resolveSecretRef(db: Kysely<Database>, masterKey: Buffer, companyId: string, key: string, ref: SecretRefEnvBinding): Promise<string> {
  // Scoped by company: a secret of another company is "not found", exactly like a deleted one.
  const secret = await db
    .selectFrom("company_secrets")
    .select(["id", "latestVersion"])
    .where("id", "=", ref.secretId)
    .where("companyId", "=", companyId)
    .executeTakeFirst();
  if (!secret) throw new SecretResolutionError("secret_not_found", `env ${key} refers to secret ${ref.secretId}, which does not exist in this company`);
  const version = ref.version === undefined || ref.version === "latest" ? secret.latestVersion : ref.version;
  const row = await db
    .selectFrom("company_secret_versions")
    .select(["material"])
    .where("secretId", "=", secret.id)
    .where("version", "=", version)
    .where("revokedAt", "is", null)
    .executeTakeFirst();
  if (!row) throw new SecretResolutionError("secret_version_not_found", `env ${key} refers to version ${version} of secret ${ref.secretId}, which does not exist`);
  try {
    return decryptSecretMaterial(masterKey, row.material);
  } catch (err) {
    if (err instanceof SecretMaterialError) {
      throw new SecretResolutionError("secret_unreadable", `env ${key}: secret ${ref.secretId} version ${version} cannot be decrypted (${err.message})`);
    }
    throw err;
  }
}

export async function resolveAdapterConfigSecrets(db: Kysely<Database>, masterKey: Buffer, companyId: string, adapterConfig: unknown): Promise<ResolvedAdapterConfig> {
  const config = adapterConfig && typeof adapterConfig === "object" && !Array.isArray(adapterConfig) ? (adapterConfig as Record<string, unknown>) : {};
  const env = envOf(config);
  if (!env) return { config, secretValues: [] };
  const resolved: Record<string, unknown> = {};
  const secretValues: string[] = [];
  for (const [key, value] of Object.entries(env)) {
    // Strings, and anything that is not a binding object, pass through for the adapter to judge.
    if (!value || typeof value !== "object" || !("type" in value)) {
      resolved[key] = value;
      continue;
    }
    const plain = plainEnvBindingSchema.safeParse(value);
    if (plain.success) {
      resolved[key] = plain.data.value;
      continue;
    }
    const ref = secretRefEnvBindingSchema.safeParse(value);
    if (!ref.success) throw new SecretResolutionError("invalid_env_binding", `env ${key} is not a valid binding: expected {type:"plain", value} or {type:"secret_ref", secretId, version?}`);
    const secret = await resolveSecretRef(db, masterKey, companyId, key, ref.data);
    resolved[key] = secret;
    secretValues.push(secret);
  }
  return { config: { ...config, env: resolved }, secretValues };
}
