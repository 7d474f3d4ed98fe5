/**
 * Company secrets (Paperclip §7.5): create, list, rename, rotate, delete. Responses carry metadata
 * only — a value goes in once (create or rotate) and never comes back out through the API, the
 * activity log or the run log; agents receive it as an env var through a `secret_ref` binding.
 * Writes need an owner/admin of the company; listing needs read access.
 */
import type { FastifyInstance } from "fastify";
import type { Transaction } from "kysely";
import { z } from "zod";
import { logActivity } from "../../core/activity-log.js";
import { actorRef, type Actor } from "../../core/auth/actor.js";
import { assertCompanyAccess, assertRowAccess } from "../../core/auth/authz.js";
import { notFound } from "../../core/errors.js";
import { LOCAL_ENCRYPTED_PROVIDER } from "../../core/secrets/local-encrypted.js";
import { createSecret, deleteSecret, getSecret, listSecrets, rotateSecret, updateSecret, type SecretAuthor } from "../../core/secrets/store.js";
import { getCompany } from "../../db/queries/companies.js";
import type { Database } from "../../db/schema.js";
import type { ApiDeps } from "../deps.js";
import { idParam, parseOrThrow } from "../validation.js";

/** An env var value, a token, a PEM key: generous, but bounded (it is scrubbed from every run log). */
const MAX_VALUE_BYTES = 64 * 1024;

const secretName = z.string().trim().min(1, "name is required").max(200);
const secretValue = z
  .string({ error: "value is required" })
  .min(1, "value must not be empty")
  .refine((v) => Buffer.byteLength(v, "utf8") <= MAX_VALUE_BYTES, `value must be at most ${MAX_VALUE_BYTES} bytes`);
const description = z.string().max(2_000).nullish();

export const createSecretSchema = z
  .object({
    name: secretName,
    value: secretValue,
    description,
    provider: z.literal(LOCAL_ENCRYPTED_PROVIDER, { error: `provider must be "${LOCAL_ENCRYPTED_PROVIDER}"` }).optional(),
  })
  .strict();

export const updateSecretSchema = z
  .object({ name: secretName.optional(), description })
  .strict()
  .refine((b) => b.name !== undefined || b.description !== undefined, "send name and/or description");

export const rotateSecretSchema = z.object({ value: secretValue }).strict();

/** Paperclip's provider descriptors; only the local encrypted store exists here. */
const PROVIDERS = [{ id: LOCAL_ENCRYPTED_PROVIDER, label: "Local encrypted (AES-256-GCM, master key on this instance)", requiresExternalRef: false }];

const companyId = idParam("companyId", "Company not found");
const secretId = idParam("id", "Secret not found");

function authorOf(actor: Actor): SecretAuthor {
  return { userId: actor.type === "board" ? actor.userId : null, agentId: actor.type === "agent" ? actor.agentId : null };
}

export function secretRoutes(app: FastifyInstance, { db, keys }: ApiDeps): void {
  const masterKey = keys.secretsMasterKey;

  const readableCompany = async (actor: Actor, params: unknown) => {
    const cid = companyId(params);
    assertCompanyAccess(actor, cid, "read");
    if (!(await getCompany(db, cid))) throw notFound("Company not found");
    return cid;
  };
  /**
   * Loads and locks the secret inside the mutation's transaction (a concurrent delete cannot slip in
   * between). A foreign or missing id is the same 404; agents and viewers get 403.
   */
  const lockManageableSecret = async (trx: Transaction<Database>, actor: Actor, params: unknown) =>
    assertRowAccess(actor, await getSecret(trx, secretId(params), { forUpdate: true }), "Secret", "manage");

  app.get("/api/companies/:companyId/secret-providers", { config: { openapi: { summary: "List secret providers", auth: "board or agent of the company" } } }, async (req) => {
    await readableCompany(req.actor, req.params);
    return PROVIDERS;
  });

  app.get("/api/companies/:companyId/secrets", { config: { openapi: { summary: "List a company's secrets (metadata only, never values)", auth: "board or agent of the company" } } }, async (req) => {
    return listSecrets(db, await readableCompany(req.actor, req.params));
  });

  app.post(
    "/api/companies/:companyId/secrets",
    { config: { openapi: { summary: "Create a secret (version 1); the response never includes the value", auth: "board (owner/admin)", body: createSecretSchema } } },
    async (req, reply) => {
      const cid = companyId(req.params);
      assertCompanyAccess(req.actor, cid, "manage");
      const body = parseOrThrow(createSecretSchema, req.body ?? {});
      if (!(await getCompany(db, cid))) throw notFound("Company not found");
      const secret = await db.transaction().execute(async (trx) => {
        const created = await createSecret(trx, { companyId: cid, name: body.name, description: body.description ?? null, value: body.value, masterKey, author: authorOf(req.actor) });
        await logActivity(trx, { companyId: cid, actor: actorRef(req.actor), action: "secret.created", entityType: "secret", entityId: created.id, details: { name: created.name, provider: created.provider, version: 1 } });
        return created;
      });
      return reply.status(201).send(secret);
    },
  );

  app.patch("/api/secrets/:id", { config: { openapi: { summary: "Rename a secret or change its description", auth: "board (owner/admin)", body: updateSecretSchema } } }, async (req) => {
    return db.transaction().execute(async (trx) => {
      const current = await lockManageableSecret(trx, req.actor, req.params);
      const body = parseOrThrow(updateSecretSchema, req.body ?? {});
      const updated = await updateSecret(trx, current.id, {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.description !== undefined ? { description: body.description } : {}),
      });
      const changedKeys = (["name", "description"] as const).filter((k) => current[k] !== updated[k]);
      await logActivity(trx, { companyId: current.companyId, actor: actorRef(req.actor), action: "secret.updated", entityType: "secret", entityId: current.id, details: { name: updated.name, changedKeys } });
      return updated;
    });
  });

  app.post("/api/secrets/:id/rotate", { config: { openapi: { summary: "Store a new value as the next version; bindings without a pinned version use it from the next run", auth: "board (owner/admin)", body: rotateSecretSchema } } }, async (req) => {
    return db.transaction().execute(async (trx) => {
      const current = await lockManageableSecret(trx, req.actor, req.params);
      const body = parseOrThrow(rotateSecretSchema, req.body ?? {});
      const rotated = await rotateSecret(trx, current, { value: body.value, masterKey, author: authorOf(req.actor) });
      await logActivity(trx, { companyId: current.companyId, actor: actorRef(req.actor), action: "secret.rotated", entityType: "secret", entityId: current.id, details: { name: rotated.name, version: rotated.latestVersion } });
      return rotated;
    });
  });

  app.delete("/api/secrets/:id", { config: { openapi: { summary: "Delete a secret and all its versions; agents still bound to it fail their next run with secret_not_found", auth: "board (owner/admin)" } } }, async (req) => {
    await db.transaction().execute(async (trx) => {
      const current = await lockManageableSecret(trx, req.actor, req.params);
      await deleteSecret(trx, current.id);
      await logActivity(trx, { companyId: current.companyId, actor: actorRef(req.actor), action: "secret.deleted", entityType: "secret", entityId: current.id, details: { name: current.name } });
    });
    return { ok: true };
  });
}
