/**
 * Adapters (Paperclip's `/api/adapters` surface): list built-ins and installed external packages,
 * install a package from npm or a local directory, enable/disable a type, reload, uninstall, serve an
 * external package's UI parser, and run an adapter's environment test for a company.
 *
 * Installs are instance-level: only instance admins may change them, and they are not written to the
 * activity log, whose rows belong to a company (activity_log.company_id is NOT NULL).
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { AdapterPackageError } from "../../adapters/external/errors.js";
import { describeCached, resolvePackage, type ExternalAdapterHome } from "../../adapters/external/external-adapter.js";
import { installAdapterPackage, reloadAdapterPackage, uninstallAdapterPackage, type InstalledAdapter } from "../../adapters/external/installer.js";
import { readUiParserSource } from "../../adapters/external/package-info.js";
import type { AdapterPluginRecord } from "../../adapters/external/plugin-store.js";
import type { ExternalAdapterMetadata } from "../../adapters/external/result-validation.js";
import {
  adapterHome,
  builtinAdapterList,
  externalAdapterRecords,
  getAdapter,
  isAdapterTypeDisabled,
  isBuiltinAdapterType,
  useAdapterHome,
} from "../../adapters/registry.js";
import type { BuiltinAdapter } from "../../adapters/types.js";
import { assertBoard, assertCompanyAccess, assertInstanceAdmin } from "../../core/auth/authz.js";
import { conflict, forbidden, HttpError, notFound, unprocessable } from "../../core/errors.js";
import { resolveAdapterConfigSecrets, SecretResolutionError } from "../../core/secrets/resolve-env.js";
import { SecretScrubber } from "../../core/secrets/scrubber.js";
import { getCompany } from "../../db/queries/companies.js";
import type { ApiDeps } from "../deps.js";
import { idParam, parseOrThrow } from "../validation.js";

export const installAdapterSchema = z
  .object({
    packageName: z.string().trim().min(1, "packageName is required").max(4096),
    version: z.string().trim().min(1).max(64).optional(),
    isLocalPath: z.boolean().default(false),
  })
  .strict();

/** The form `docs/adapters/external-adapters.md` documents: `{packageName}` or `{localPath}`. */
export const addAdapterSchema = z
  .object({
    packageName: z.string().trim().min(1).max(4096).optional(),
    localPath: z.string().trim().min(1).max(4096).optional(),
    version: z.string().trim().min(1).max(64).optional(),
  })
  .strict();

export const updateAdapterSchema = z.object({ disabled: z.boolean() }).strict();
export const deleteAdapterQuery = z.object({ force: z.enum(["true", "false", "1", "0"]).optional() });
export const testEnvironmentSchema = z.object({ adapterConfig: z.record(z.string(), z.unknown()).default({}) }).strict();

export interface AdapterInfo {
  type: string;
  label: string;
  source: "builtin" | "external";
  modelsCount: number;
  loaded: boolean;
  disabled: boolean;
  capabilities: {
    supportsInstructionsBundle: boolean;
    supportsSkills: boolean;
    supportsLocalAgentJwt: boolean;
    requiresMaterializedRuntimeSkills: boolean;
  };
  version: string | null;
  packageName: string | null;
  isLocalPath: boolean;
  /** Why an external package does not load (absent when it does). */
  loadError?: string;
}

const companyId = idParam("companyId", "Company not found");

function typeParam(params: unknown): string {
  const value = (params as Record<string, unknown> | undefined)?.type;
  if (typeof value !== "string" || value.length === 0 || value.length > 100) throw notFound("Adapter not found");
  return value;
}

function toHttp(err: unknown): unknown {
  if (err instanceof AdapterPackageError) return new HttpError(err.status, err.message, undefined, err.code);
  if (err instanceof SecretResolutionError) return new HttpError(422, err.message, undefined, err.code);
  return err;
}

function builtinInfo(adapter: BuiltinAdapter): AdapterInfo {
  const m = adapter.module;
  return {
    type: m.type,
    label: typeof m.label === "string" ? m.label : m.type,
    source: "builtin",
    modelsCount: m.models?.length ?? 0,
    loaded: true,
    disabled: isAdapterTypeDisabled(m.type),
    capabilities: {
      supportsInstructionsBundle: m.supportsInstructionsBundle === true,
      supportsSkills: typeof m.listSkills === "function" || typeof m.syncSkills === "function",
      supportsLocalAgentJwt: m.supportsLocalAgentJwt === true,
      requiresMaterializedRuntimeSkills: m.requiresMaterializedRuntimeSkills === true,
    },
    version: null,
    packageName: null,
    isLocalPath: false,
  };
}

function externalInfo(record: AdapterPluginRecord, metadata: ExternalAdapterMetadata | null, loadError?: string): AdapterInfo {
  return {
    type: record.type,
    label: metadata?.label ?? record.type,
    source: "external",
    modelsCount: metadata?.models.length ?? 0,
    loaded: metadata !== null,
    disabled: isAdapterTypeDisabled(record.type),
    capabilities: {
      supportsInstructionsBundle: metadata?.supportsInstructionsBundle ?? false,
      supportsSkills: Boolean(metadata && (metadata.hasListSkills || metadata.hasSyncSkills)),
      supportsLocalAgentJwt: metadata?.supportsLocalAgentJwt ?? false,
      requiresMaterializedRuntimeSkills: metadata?.requiresMaterializedRuntimeSkills ?? false,
    },
    version: record.version ?? null,
    packageName: record.packageName,
    isLocalPath: Boolean(record.localPath),
    ...(loadError ? { loadError } : {}),
  };
}

async function describeRecord(home: ExternalAdapterHome, record: AdapterPluginRecord): Promise<AdapterInfo> {
  try {
    return externalInfo(record, await describeCached(record.type, resolvePackage(record, home.store), home.agentApiUrl));
  } catch (err) {
    return externalInfo(record, null, err instanceof Error ? err.message : String(err));
  }
}

function installedBody(installed: InstalledAdapter) {
  const { record } = installed;
  return { type: record.type, packageName: record.packageName, version: record.version ?? null, installedAt: record.installedAt, requiresRestart: false };
}

export function adapterRoutes(app: FastifyInstance, { db, config, keys }: ApiDeps): void {
  if (!adapterHome()) useAdapterHome(config.home, `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${config.port}`);
  const home = (): ExternalAdapterHome => adapterHome()!;
  const externalRecord = (type: string) => externalAdapterRecords().find((r) => r.type === type);

  // npm runs one at a time: two installs in the same managed project would trip over each other.
  let installQueue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = installQueue.then(fn, fn);
    installQueue = next.catch(() => undefined);
    return next;
  };
  const install = (packageName: string, version: string | undefined, isLocalPath: boolean) =>
    serialized(() => installAdapterPackage(home(), { packageName, version, isLocalPath }, isBuiltinAdapterType)).catch((err: unknown) => {
      throw toHttp(err);
    });

  app.get("/api/adapters", { config: { openapi: { summary: "List built-in and installed external adapters", auth: "board" } } }, async (req) => {
    assertBoard(req.actor);
    const externals = await Promise.all(externalAdapterRecords().map((r) => describeRecord(home(), r)));
    return [...builtinAdapterList().map(builtinInfo), ...externals];
  });

  app.get("/api/adapters/:type", { config: { openapi: { summary: "Get one adapter", auth: "board" } } }, async (req) => {
    assertBoard(req.actor);
    const type = typeParam(req.params);
    const builtin = isBuiltinAdapterType(type) ? getAdapter(type) : undefined;
    if (builtin) return builtinInfo(builtin);
    const record = externalRecord(type);
    if (!record) throw notFound(`Adapter type "${type}" is not installed`);
    return describeRecord(home(), record);
  });

  app.post("/api/adapters/install", { config: { openapi: { summary: "Install an external adapter package from npm or a local directory", auth: "instance admin", body: installAdapterSchema } } }, async (req, reply) => {
    assertInstanceAdmin(req.actor);
    const body = parseOrThrow(installAdapterSchema, req.body ?? {});
    return reply.status(201).send(installedBody(await install(body.packageName, body.version, body.isLocalPath)));
  });

  app.post("/api/adapters", { config: { openapi: { summary: "Install an external adapter package ({packageName} from npm or {localPath})", auth: "instance admin", body: addAdapterSchema } } }, async (req, reply) => {
    assertInstanceAdmin(req.actor);
    const body = parseOrThrow(addAdapterSchema, req.body ?? {});
    if (body.packageName && body.localPath) throw unprocessable("Send either packageName (npm) or localPath (a directory), not both", { code: "adapter_install_ambiguous" });
    const spec = body.localPath ?? body.packageName;
    if (!spec) throw unprocessable("Send packageName (an npm package) or localPath (an absolute directory)", { code: "adapter_install_missing_source" });
    return reply.status(201).send(installedBody(await install(spec, body.version, Boolean(body.localPath))));
  });

  app.patch("/api/adapters/:type", { config: { openapi: { summary: "Enable or disable an adapter type for new agents", auth: "instance admin", body: updateAdapterSchema } } }, async (req) => {
    assertInstanceAdmin(req.actor);
    const type = typeParam(req.params);
    const body = parseOrThrow(updateAdapterSchema, req.body ?? {});
    const { store } = home();
    const builtin = isBuiltinAdapterType(type) ? getAdapter(type) : undefined;
    if (builtin) {
      store.setTypeDisabled(type, body.disabled);
      return builtinInfo(builtin);
    }
    const record = externalRecord(type);
    if (!record) throw notFound(`Adapter type "${type}" is not installed`);
    const updated = store.update(type, { disabled: body.disabled }) ?? record;
    // A Paperclip settings file may disable it too: enabling clears both places.
    if (!body.disabled && store.settings().disabledTypes.includes(type)) store.setTypeDisabled(type, false);
    return describeRecord(home(), updated);
  });

  app.delete("/api/adapters/:type", { config: { openapi: { summary: "Uninstall an external adapter package", auth: "instance admin", query: deleteAdapterQuery } } }, async (req) => {
    assertInstanceAdmin(req.actor);
    const type = typeParam(req.params);
    const query = parseOrThrow(deleteAdapterQuery, req.query ?? {});
    if (isBuiltinAdapterType(type)) throw forbidden(`"${type}" is a built-in adapter and cannot be uninstalled (disable it instead)`, { code: "adapter_builtin" });
    const record = externalRecord(type);
    if (!record) throw notFound(`Adapter type "${type}" is not installed`);
    const force = query.force === "true" || query.force === "1";
    const users = await db.selectFrom("agents").select(["id"]).where("adapterType", "=", type).where("status", "!=", "terminated").limit(1000).execute();
    if (users.length > 0 && !force) {
      throw conflict(`${users.length} agent(s) still use adapter type "${type}"; terminate or move them first, or pass ?force=true`, { code: "adapter_in_use", agentIds: users.slice(0, 50).map((u) => u.id) });
    }
    const warning = await serialized(() => uninstallAdapterPackage(home(), record));
    return { ok: true, type, packageName: record.packageName, removed: true, agentsStillUsing: users.length, warning };
  });

  app.post("/api/adapters/:type/reload", { config: { openapi: { summary: "Re-import an external adapter package and re-read its version", auth: "instance admin" } } }, async (req) => {
    assertInstanceAdmin(req.actor);
    const type = typeParam(req.params);
    if (isBuiltinAdapterType(type)) throw unprocessable(`"${type}" is a built-in adapter; only external packages can be reloaded`, { code: "adapter_builtin" });
    const record = externalRecord(type);
    if (!record) throw notFound(`Adapter type "${type}" is not installed`);
    try {
      const reloaded = await reloadAdapterPackage(home(), record);
      return { ...externalInfo(reloaded.record, reloaded.metadata), reloaded: true };
    } catch (err) {
      throw toHttp(err);
    }
  });

  app.get("/api/adapters/:type/ui-parser.js", { config: { openapi: { summary: "The UI transcript parser of an external adapter (CommonJS source)", auth: "board" } } }, async (req, reply) => {
    assertBoard(req.actor);
    const type = typeParam(req.params);
    const record = externalRecord(type);
    if (!record) throw notFound(`No UI parser for adapter type "${type}"`, { code: "adapter_ui_parser_missing" });
    let source: string | null = null;
    try {
      source = readUiParserSource(resolvePackage(record, home().store));
    } catch {
      source = null;
    }
    if (source === null) throw notFound(`Adapter type "${type}" has no UI parser (package.json exports["./ui-parser"] with paperclip.adapterUiParser 1.x)`, { code: "adapter_ui_parser_missing" });
    return reply.type("application/javascript; charset=utf-8").header("cache-control", "no-cache").header("x-content-type-options", "nosniff").send(source);
  });

  app.post("/api/companies/:companyId/adapters/:type/test-environment", { config: { openapi: { summary: "Test an adapter's environment with a draft adapterConfig", auth: "board or agent of the company (not viewers)", body: testEnvironmentSchema } } }, async (req) => {
    const cid = companyId(req.params);
    assertCompanyAccess(req.actor, cid, "write");
    const type = typeParam(req.params);
    const body = parseOrThrow(testEnvironmentSchema, req.body ?? {});
    if (!(await getCompany(db, cid))) throw notFound("Company not found");
    const adapter = getAdapter(type);
    if (!adapter) throw notFound(`Adapter type "${type}" is not installed`);
    let resolved: Awaited<ReturnType<typeof resolveAdapterConfigSecrets>>;
    try {
      resolved = await resolveAdapterConfigSecrets(db, keys.secretsMasterKey, cid, body.adapterConfig);
    } catch (err) {
      throw toHttp(err);
    }
    const result = await adapter.module.testEnvironment({ companyId: cid, adapterType: type, config: resolved.config, deployment: { mode: config.auth.deploymentMode } });
    // A check may quote the environment it looked at: secret values never leave in a response.
    return new SecretScrubber(resolved.secretValues).scrubDeep(result);
  });
}
