/**
 * Skills: a company's library (the built-ins shipped in `skills/` plus the company's own, which the
 * board adds, edits and deletes) and each agent's choice among them (Paperclip's skills contract:
 * `GET /api/agents/:id/skills` answers an `AdapterSkillSnapshot`, `POST …/skills/sync` changes
 * `adapterConfig.paperclipSkillSync` through the agent update path, so it leaves a config revision).
 * What each run actually mounted is on the run itself (`mountedSkills`).
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { logActivity } from "../../core/activity-log.js";
import { actorRef, type Actor } from "../../core/auth/actor.js";
import { assertCompanyAccess, assertRowAccess, assertSelfOrBoard } from "../../core/auth/authz.js";
import { conflict, notFound } from "../../core/errors.js";
import { builtinSkillKeys, listBuiltinSkills } from "../../core/skills/builtin.js";
import { deleteCompanySkill, getCompanySkillRow, insertCompanySkill, updateCompanySkill } from "../../core/skills/company-skills.js";
import { isSkillKey, SKILL_KEY_MAX_LENGTH, SKILL_KEY_PATTERN, SKILL_MARKDOWN_MAX_BYTES } from "../../core/skills/keys.js";
import { companySkillRecord, loadSkillLibrary } from "../../core/skills/library.js";
import { adapterConfigWithSkills, buildSkillSnapshot } from "../../core/skills/snapshot.js";
import type { SkillRecord } from "../../core/skills/types.js";
import { getAgent } from "../../db/queries/agents.js";
import { getCompany } from "../../db/queries/companies.js";
import type { ApiDeps } from "../deps.js";
import { idParam, parseOrThrow } from "../validation.js";
import { updateAgent } from "./agents.js";

const skillKey = z
  .string({ error: "key is required" })
  .max(SKILL_KEY_MAX_LENGTH, `key must be at most ${SKILL_KEY_MAX_LENGTH} characters`)
  .regex(SKILL_KEY_PATTERN, 'key must be a lowercase slug: letters a-z, digits and single hyphens, such as "release-notes"');
const skillName = z.string().trim().min(1, "name must not be empty").max(200);
const skillDescription = z.string().max(2_000).nullish();
const skillMarkdown = z
  .string({ error: "markdown is required" })
  .refine((v) => v.trim().length > 0, "markdown must not be empty")
  .refine((v) => Buffer.byteLength(v, "utf8") <= SKILL_MARKDOWN_MAX_BYTES, `markdown must be at most ${SKILL_MARKDOWN_MAX_BYTES / 1024} KB`);

export const createCompanySkillSchema = z.object({ key: skillKey, name: skillName, description: skillDescription, markdown: skillMarkdown }).strict();

export const updateCompanySkillSchema = z
  .object({ name: skillName.optional(), description: skillDescription, markdown: skillMarkdown.optional() })
  .strict()
  .refine((b) => b.name !== undefined || b.description !== undefined || b.markdown !== undefined, "send name, description and/or markdown");

export const companySkillsQuery = z.object({ include: z.enum(["markdown"], { error: 'include must be "markdown"' }).optional() });

export const syncSkillsSchema = z
  .object({
    desiredSkills: z.array(z.string().trim().min(1, "a skill key must not be empty").max(200), { error: "desiredSkills must be an array of skill keys" }).max(100),
    mode: z.enum(["replace", "add", "remove"]).default("replace"),
  })
  .strict();

const companyId = idParam("companyId", "Company not found");
const agentId = idParam("id", "Agent not found");

/** A key that cannot be a skill cannot name one: 404, like an id that is not a UUID. */
function skillKeyParam(params: unknown): string {
  const key = (params as Record<string, unknown> | undefined)?.key;
  if (typeof key !== "string" || !isSkillKey(key)) throw notFound("Skill not found");
  return key;
}

function skillView(skill: SkillRecord, withMarkdown: boolean) {
  return {
    key: skill.key,
    name: skill.name,
    description: skill.description,
    source: skill.source,
    versionId: skill.versionId,
    readOnly: skill.source === "builtin",
    id: skill.row?.id ?? null,
    createdByUserId: skill.row?.createdByUserId ?? null,
    createdByAgentId: skill.row?.createdByAgentId ?? null,
    createdAt: skill.row?.createdAt ?? null,
    updatedAt: skill.row?.updatedAt ?? null,
    ...(withMarkdown ? { markdown: skill.row?.markdown ?? skill.content } : {}),
  };
}

const readOnlyBuiltin = (key: string) => conflict(`"${key}" is a built-in skill: it cannot be changed or deleted (add a company skill with another key instead)`, { code: "builtin_skill_read_only" });

const isUniqueViolation = (err: unknown) => (err as { code?: unknown } | null)?.code === "23505";

export function skillRoutes(app: FastifyInstance, { db, scheduler }: ApiDeps): void {
  const existingCompany = async (actor: Actor, params: unknown, access: "read" | "manage") => {
    const cid = companyId(params);
    assertCompanyAccess(actor, cid, access);
    if (!(await getCompany(db, cid))) throw notFound("Company not found");
    return cid;
  };
  const author = (actor: Actor) => ({ userId: actor.type === "board" ? actor.userId : null, agentId: actor.type === "agent" ? actor.agentId : null });

  app.get("/api/companies/:companyId/skills", { config: { openapi: { summary: "List a company's skills: the built-ins and its own (markdown only with ?include=markdown)", auth: "board or agent of the company", query: companySkillsQuery } } }, async (req) => {
    const q = parseOrThrow(companySkillsQuery, req.query);
    const cid = await existingCompany(req.actor, req.params, "read");
    return (await loadSkillLibrary(db, cid)).map((s) => skillView(s, q.include === "markdown"));
  });

  app.post("/api/companies/:companyId/skills", { config: { openapi: { summary: "Add a skill to the company's library", auth: "board (owner/admin)", body: createCompanySkillSchema } } }, async (req, reply) => {
    const cid = companyId(req.params);
    assertCompanyAccess(req.actor, cid, "manage");
    const body = parseOrThrow(createCompanySkillSchema, req.body ?? {});
    if (!(await getCompany(db, cid))) throw notFound("Company not found");
    if (builtinSkillKeys().has(body.key)) throw conflict(`"${body.key}" is the key of a built-in skill: choose another key`, { code: "skill_key_reserved" });
    const exists = () => conflict(`The company already has a skill "${body.key}": change it with PATCH /api/companies/:companyId/skills/${body.key}`, { code: "skill_exists" });
    try {
      const row = await db.transaction().execute(async (trx) => {
        if (await getCompanySkillRow(trx, cid, body.key)) throw exists();
        const created = await insertCompanySkill(trx, cid, { key: body.key, name: body.name, description: body.description ?? null, markdown: body.markdown }, author(req.actor));
        const skill = companySkillRecord(created);
        await logActivity(trx, { companyId: cid, actor: actorRef(req.actor), action: "skill.created", entityType: "company_skill", entityId: created.id, details: { key: created.key, name: created.name, versionId: skill.versionId } });
        return created;
      });
      return reply.status(201).send(skillView(companySkillRecord(row), true));
    } catch (err) {
      if (isUniqueViolation(err)) throw exists(); // a concurrent create of the same key
      throw err;
    }
  });

  app.get("/api/companies/:companyId/skills/:key", { config: { openapi: { summary: "Get one skill with its markdown", auth: "board or agent of the company" } } }, async (req) => {
    const cid = await existingCompany(req.actor, req.params, "read");
    const key = skillKeyParam(req.params);
    const builtin = listBuiltinSkills().find((s) => s.key === key);
    if (builtin) return skillView(builtin, true);
    const row = await getCompanySkillRow(db, cid, key);
    if (!row) throw notFound("Skill not found");
    return skillView(companySkillRecord(row), true);
  });

  app.patch("/api/companies/:companyId/skills/:key", { config: { openapi: { summary: "Change a company skill; runs mount the new version from their next start", auth: "board (owner/admin)", body: updateCompanySkillSchema } } }, async (req) => {
    const cid = await existingCompany(req.actor, req.params, "manage");
    const key = skillKeyParam(req.params);
    const body = parseOrThrow(updateCompanySkillSchema, req.body ?? {});
    if (builtinSkillKeys().has(key)) throw readOnlyBuiltin(key);
    const row = await db.transaction().execute(async (trx) => {
      const current = await getCompanySkillRow(trx, cid, key, { forUpdate: true });
      if (!current) throw notFound("Skill not found");
      const updated = await updateCompanySkill(trx, current.id, {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.description !== undefined ? { description: body.description ?? null } : {}),
        ...(body.markdown !== undefined ? { markdown: body.markdown } : {}),
      });
      const changedKeys = (["name", "description", "markdown"] as const).filter((k) => current[k] !== updated[k]);
      await logActivity(trx, { companyId: cid, actor: actorRef(req.actor), action: "skill.updated", entityType: "company_skill", entityId: current.id, details: { key, changedKeys, versionId: companySkillRecord(updated).versionId } });
      return updated;
    });
    return skillView(companySkillRecord(row), true);
  });

  app.delete("/api/companies/:companyId/skills/:key", { config: { openapi: { summary: "Delete a company skill; agents that still want it report it as missing", auth: "board (owner/admin)" } } }, async (req) => {
    const cid = await existingCompany(req.actor, req.params, "manage");
    const key = skillKeyParam(req.params);
    if (builtinSkillKeys().has(key)) throw readOnlyBuiltin(key);
    await db.transaction().execute(async (trx) => {
      const current = await getCompanySkillRow(trx, cid, key, { forUpdate: true });
      if (!current) throw notFound("Skill not found");
      await deleteCompanySkill(trx, current.id);
      await logActivity(trx, { companyId: cid, actor: actorRef(req.actor), action: "skill.deleted", entityType: "company_skill", entityId: current.id, details: { key } });
    });
    return { ok: true };
  });

  app.get("/api/agents/:id/skills", { config: { openapi: { summary: "The skills the agent's next run mounts (AdapterSkillSnapshot)", auth: "board, or the agent itself" } } }, async (req) => {
    const agent = assertRowAccess(req.actor, await getAgent(db, agentId(req.params)), "Agent");
    assertSelfOrBoard(req.actor, agent.id, "Agent can only read its own skills");
    const library = await loadSkillLibrary(db, agent.companyId);
    return buildSkillSnapshot(library, { agentId: agent.id, companyId: agent.companyId, adapterType: agent.adapterType, config: agent.adapterConfig });
  });

  app.post("/api/agents/:id/skills/sync", { config: { openapi: { summary: "Set the agent's skills (replace, add or remove); returns the new snapshot", auth: "board (owner/admin), or the agent itself", body: syncSkillsSchema } } }, async (req) => {
    const agent = assertRowAccess(req.actor, await getAgent(db, agentId(req.params)), "Agent", "write");
    const body = parseOrThrow(syncSkillsSchema, req.body ?? {});
    const library = await loadSkillLibrary(db, agent.companyId);
    const next = adapterConfigWithSkills(library, agent.adapterConfig, body.desiredSkills, body.mode);
    const desiredSkills = (next.adapterConfig.paperclipSkillSync as { desiredSkills: string[] }).desiredSkills;
    const updated = await updateAgent({ db, scheduler }, req.actor, agent, { adapterConfig: next.adapterConfig }, { revisionSource: "skills_sync", action: "agent.skills_synced", details: { mode: body.mode, desiredSkills } });
    const snapshot = buildSkillSnapshot(library, { agentId: updated.id, companyId: updated.companyId, adapterType: updated.adapterType, config: updated.adapterConfig });
    return { ...snapshot, warnings: [...next.warnings, ...snapshot.warnings] };
  });
}
