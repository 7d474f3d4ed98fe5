/**
 * The hiring reference agents read (skills/create-agent): `/llms/agent-configuration.txt` lists every
 * adapter type a new agent may use with a summary and a link, `/llms/agent-configuration/<type>.txt`
 * is that adapter's own documentation — built-in or from an installed package — at the root and under
 * `/api`. Readers: the board, or an agent that may hire; nobody unauthenticated.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILTIN_ADAPTERS } from "../../adapters/builtins.js";
import { listAdapterTypes } from "../../adapters/registry.js";
import { summaryLine } from "../../api/routes/llms.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";

const externalFixture = path.resolve("tests/fixtures/external-adapter");
let t: TestRuntime;
let companyId: string;

beforeAll(async () => {
  t = await startTestRuntime({ role: "api" });
  companyId = (await t.api.createCompany("Reference Desk")).id;
});
afterAll(async () => {
  await t?.stop();
});

const PREFIXES = ["", "/api"];

describe("as the board", () => {
  for (const prefix of PREFIXES) {
    it(`${prefix || "(root)"}: the index lists every adapter type with its summary and link`, async () => {
      const res = await t.api.get(`${prefix}/llms/agent-configuration.txt`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      const text = res.body as string;
      expect(text.startsWith("# Switchboard agent configuration\n")).toBe(true);
      for (const { module } of BUILTIN_ADAPTERS) {
        const line = text.split("\n").find((l) => l.startsWith(`- ${module.type}: `));
        expect(line, module.type).toBeDefined();
        expect(line).toContain(summaryLine(module.agentConfigurationDoc ?? ""));
        expect(line!.endsWith(` ${prefix}/llms/agent-configuration/${module.type}.txt`)).toBe(true);
      }
      expect(text).toContain("POST /api/companies/{companyId}/agent-hires");
    });

    it(`${prefix || "(root)"}: each adapter's page is its agentConfigurationDoc, verbatim`, async () => {
      for (const { module } of BUILTIN_ADAPTERS) {
        const res = await t.api.get(`${prefix}/llms/agent-configuration/${module.type}.txt`);
        expect(res.status, module.type).toBe(200);
        expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
        expect(module.agentConfigurationDoc, `${module.type} has a configuration doc`).toBeTruthy();
        expect(res.body).toBe(module.agentConfigurationDoc);
      }
    });

    it(`${prefix || "(root)"}: an unknown adapter type is a 404 naming the known ones`, async () => {
      const res = await t.api.get(`${prefix}/llms/agent-configuration/no_such_runtime.txt`);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ error: expect.stringContaining("no_such_runtime"), code: "unknown_adapter_type" });
      expect(res.body.details.adapterTypes).toEqual(listAdapterTypes());
      expect((await t.api.get(`${prefix}/llms/agent-configuration/.txt`)).status).toBe(404);
    });
  }

  it("an installed external package gets a line in the index and its own page", async () => {
    const installed = await t.api.post("/api/adapters", { localPath: externalFixture });
    expect(installed.status, JSON.stringify(installed.body)).toBe(201);
    expect(installed.body.type).toBe("echo_agent");

    const index = (await t.api.get("/llms/agent-configuration.txt")).body as string;
    expect(index).toContain("- echo_agent: Use when: you want an agent that repeats its prompt (a test double for a real CLI). /llms/agent-configuration/echo_agent.txt");

    const page = await t.api.get("/api/llms/agent-configuration/echo_agent.txt");
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/^# echo_agent configuration\n/);
    expect(page.body).toContain("- model (string): echo-1 or echo-2");

    // A disabled type is not offered for new agents: gone from the index, page still readable.
    expect((await t.api.patch("/api/adapters/echo_agent", { disabled: true })).status).toBe(200);
    expect((await t.api.get("/llms/agent-configuration.txt")).body).not.toContain("- echo_agent:");
    expect((await t.api.get("/llms/agent-configuration/echo_agent.txt")).status).toBe(200);
    // force: other test files share this database and may have agents on echo_agent.
    expect((await t.api.delete("/api/adapters/echo_agent?force=true")).status).toBe(200);
    expect((await t.api.get("/llms/agent-configuration/echo_agent.txt")).status).toBe(404);
  });
});

describe("as an agent", () => {
  const agentWith = async (name: string, role: string, permissions: Record<string, unknown> = {}) => {
    const agent = await t.api.createAgent(companyId, { name, role, permissions, adapterConfig: { command: process.execPath, args: ["-e", "0"] } });
    return t.api.as(await t.api.createAgentKey(agent.id));
  };

  it("the CEO and agents allowed to create agents read it; others get 403", async () => {
    const ceo = await agentWith("chief", "ceo");
    const recruiter = await agentWith("recruiter", "engineer", { canCreateAgents: true });
    const engineer = await agentWith("builder", "engineer");
    for (const prefix of PREFIXES) {
      for (const reader of [ceo, recruiter]) {
        expect((await reader.get(`${prefix}/llms/agent-configuration.txt`)).status).toBe(200);
        expect((await reader.get(`${prefix}/llms/agent-configuration/process.txt`)).status).toBe(200);
      }
      const denied = await engineer.get(`${prefix}/llms/agent-configuration/process.txt`);
      expect(denied.status).toBe(403);
      expect(denied.body).toMatchObject({ code: "permission_denied" });
      expect((await engineer.get(`${prefix}/llms/agent-configuration.txt`)).status).toBe(403);
    }
  });
});

describe("in authenticated mode", () => {
  it("nobody unauthenticated reads it (401), at the root or under /api", async () => {
    const closed = await startTestRuntime({ role: "api", env: { PAPERCLIP_DEPLOYMENT_MODE: "authenticated" } });
    try {
      for (const prefix of PREFIXES) {
        for (const page of ["agent-configuration.txt", "agent-configuration/process.txt"]) {
          const anonymous = await closed.api.get(`${prefix}/llms/${page}`);
          expect(anonymous.status, `${prefix}/llms/${page}`).toBe(401);
          expect(anonymous.body).toMatchObject({ error: expect.any(String) });
          expect((await closed.api.as("not-a-token").get(`${prefix}/llms/${page}`)).status).toBe(401);
        }
      }
    } finally {
      await closed.stop();
    }
  });
});
