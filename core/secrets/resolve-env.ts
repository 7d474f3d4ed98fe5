/**
 * Run-time resolution of `adapterConfig.env` bindings: the only place a secret value is decrypted.
 * The result (a config whose bindings are now strings) goes to the adapter and nowhere else — not back to
 * the agent row, not into Temporal history, not into logs. The resolved values come back too, so the
 * caller can scrub them from the run's output.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";
import { bindingSlotsOf, envOf, plainEnvBindingSchema, secretRefEnvBindingSchema, type SecretRefEnvBinding } from "./env-bindings.js";
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
  if (!secret) throw new SecretResolutionError("secret_not_found", `${key} refers to secret ${ref.secretId}, which does not exist in this company`);
  const version = ref.version === undefined || ref.version === "latest" ? secret.latestVersion : ref.version;
  const row = await db
    .selectFrom("company_secret_versions")
    .select(["material"])
    .where("secretId", "=", secret.id)
    .where("version", "=", version)
    .where("revokedAt", "is", null)
    .executeTakeFirst();
  if (!row) throw new SecretResolutionError("secret_version_not_found", `${key} refers to version ${version} of secret ${ref.secretId}, which does not exist`);
  try {
    return decryptSecretMaterial(masterKey, row.material);
  } catch (err) {
    if (err instanceof SecretMaterialError) {
      throw new SecretResolutionError("secret_unreadable", `${key}: secret ${ref.secretId} version ${version} cannot be decrypted (${err.message})`);
    }
    throw err;
  }
}

export async function resolveAdapterConfigSecrets(db: Kysely<Database>, masterKey: Buffer, companyId: string, adapterConfig: unknown): Promise<ResolvedAdapterConfig> {
  const config = adapterConfig && typeof adapterConfig === "object" && !Array.isArray(adapterConfig) ? (adapterConfig as Record<string, unknown>) : {};
  const slots = bindingSlotsOf(config).filter((slot) => slot.value && typeof slot.value === "object" && "type" in slot.value);
  if (slots.length === 0) return { config, secretValues: [] };
  const env = { ...(envOf(config) ?? {}) };
  const headers = { ...((config.headers as Record<string, unknown> | undefined) ?? {}) };
  const root: Record<string, unknown> = {};
  const secretValues: string[] = [];
  for (const slot of slots) {
    // Strings, and anything that is not a binding object, pass through for the adapter to judge.
    let resolved: string;
    const plain = plainEnvBindingSchema.safeParse(slot.value);
    if (plain.success) {
      resolved = plain.data.value;
    } else {
      const ref = secretRefEnvBindingSchema.safeParse(slot.value);
      if (!ref.success) throw new SecretResolutionError("invalid_env_binding", `${slot.container === "env" ? "env " : ""}${slot.key} is not a valid binding: expected {type:"plain", value} or {type:"secret_ref", secretId, version?}`);
      resolved = await resolveSecretRef(db, masterKey, companyId, slot.container === "env" ? `env ${slot.key}` : slot.key, ref.data);
      secretValues.push(resolved);
    }
    if (slot.container === "env") env[slot.name] = resolved;
    else if (slot.container === "headers") headers[slot.name] = resolved;
    else root[slot.name] = resolved;
  }
  const out: Record<string, unknown> = { ...config, ...root };
  if (envOf(config)) out.env = env;
  if (config.headers && typeof config.headers === "object") out.headers = headers;
  return { config: out, secretValues };
}
