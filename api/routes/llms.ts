/**
 * Plain-text pages an agent reads before it hires another agent (skills/create-agent): an index of
 * the adapter types a new agent may use, and each adapter's own `agentConfigurationDoc`. Served at
 * the root and under `/api`, as Paperclip does, because agents build the URL from PAPERCLIP_API_URL
 * either way.
 *
 * Access follows Paperclip's llms routes: the board, or an agent that may hire (the CEO, or
 * `permissions.canCreateAgents`); nobody else needs the hiring reference.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { describeCached, resolvePackage } from "../../adapters/external/external-adapter.js";
import { adapterHome, externalAdapterRecords, getAdapter, listAdapterTypes } from "../../adapters/registry.js";
import { assertAuthenticated } from "../../core/auth/authz.js";
import { agentMayCreateAgents } from "../../core/auth/permissions.js";
import { forbidden, notFound } from "../../core/errors.js";
import type { Db } from "../../db/connection.js";
import type { ApiDeps } from "../deps.js";

const TEXT = "text/plain; charset=utf-8";
const AUTH = "board, or an agent allowed to create agents (CEO or permissions.canCreateAgents)";

async function assertMayReadHiringDocs(db: Db, req: FastifyRequest): Promise<void> {
  const actor = req.actor;
  assertAuthenticated(actor);
  if (actor.type === "board") return;
  if (!(await agentMayCreateAgents(db, actor.agentId))) {
    throw forbidden("Missing permission: agents:create (only agents that may hire read the adapter configuration pages)", { code: "permission_denied", permission: "agents:create" });
  }
}

/**
 * An adapter's configuration page: a built-in's own doc, or what an installed package declares
 * (read through the isolated host, cached per package version). Null for an unknown type.
 */
async function configurationDoc(type: string): Promise<string | null> {
  const adapter = getAdapter(type);
  if (!adapter) return null;
  const own = adapter.module.agentConfigurationDoc;
  if (typeof own === "string" && own.trim()) return own;
  const home = adapterHome();
  const record = externalAdapterRecords().find((r) => r.type === type);
  if (home && record) {
    try {
      const described = await describeCached(type, resolvePackage(record, home.store), home.agentApiUrl);
      if (described.agentConfigurationDoc?.trim()) return described.agentConfigurationDoc;
    } catch (err) {
      return `# ${type} agent configuration\n\nThe adapter package "${record.packageName}" could not be loaded, so its documentation is unavailable: ${err instanceof Error ? err.message : String(err)}\n`;
    }
  }
  return `# ${type} agent configuration\n\nNo adapter-specific documentation registered.\n`;
}

/** The first prose line of a doc (headings and blank lines skipped), for the index. */
export function summaryLine(doc: string, max = 200): string {
  const line = doc
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l !== "" && !l.startsWith("#"));
  if (!line) return "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

async function indexText(prefix: string): Promise<string> {
  const types = [...listAdapterTypes()].sort((a, b) => a.localeCompare(b));
  const entries = await Promise.all(types.map(async (type) => ({ type, doc: (await configurationDoc(type)) ?? "" })));
  return [
    "# Switchboard agent configuration",
    "",
    "Adapter types a new agent may use (the agent's adapterType), each with its configuration page:",
    ...entries.map(({ type, doc }) => {
      const summary = summaryLine(doc);
      return `- ${type}: ${summary ? `${summary} ` : ""}${prefix}/llms/agent-configuration/${type}.txt`;
    }),
    "",
    "Related API endpoints:",
    "- GET /api/companies/{companyId}/agents (existing agents: names, roles, reportsTo, adapter configs)",
    "- POST /api/companies/{companyId}/adapters/{adapterType}/test-environment {adapterConfig} (check a draft config before hiring)",
    "- POST /api/companies/{companyId}/agent-hires (hire; may wait for board approval)",
    "",
    "Notes:",
    "- adapterConfig is validated by the adapter: a bad config is a 422 listing the problems.",
    "- When the company requires board approval for new agents, the hire is created as pending_approval with a hire_agent approval.",
    "- Timer heartbeats are opt-in: leave runtimeConfig.heartbeat.enabled false unless the role needs scheduled work.",
    "",
  ].join("\n");
}

function adapterTypeParam(params: unknown): string {
  const value = (params as Record<string, unknown> | undefined)?.adapterType;
  if (typeof value !== "string" || value.length === 0 || value.length > 100) throw notFound("Unknown adapter type");
  return value;
}

export function llmRoutes(app: FastifyInstance, { db }: ApiDeps): void {
  for (const prefix of ["", "/api"]) {
    app.get(`${prefix}/llms/agent-configuration.txt`, { config: { openapi: { summary: "Adapter types a new agent may use, with links to their configuration pages (text/plain)", auth: AUTH } } }, async (req, reply: FastifyReply) => {
      await assertMayReadHiringDocs(db, req);
      return reply.type(TEXT).send(await indexText(prefix));
    });

    app.get(`${prefix}/llms/agent-configuration/:adapterType.txt`, { config: { openapi: { summary: "How to configure one adapter type (its agentConfigurationDoc, text/plain)", auth: AUTH } } }, async (req, reply: FastifyReply) => {
      await assertMayReadHiringDocs(db, req);
      const type = adapterTypeParam(req.params);
      const doc = await configurationDoc(type);
      if (doc === null) throw notFound(`Unknown adapter type "${type}" (see ${prefix}/llms/agent-configuration.txt)`, { code: "unknown_adapter_type", adapterTypes: listAdapterTypes() });
      return reply.type(TEXT).send(doc);
    });
  }
}
