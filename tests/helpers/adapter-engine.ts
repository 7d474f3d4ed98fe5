/**
 * Shared scaffolding for the engine tests of the CLI adapters (claude_local, codex_local, …): one
 * runtime and company per test file, a fake CLI standing in for the real one, helpers to run an agent
 * once and read what the run left behind, and the failure modes every CLI adapter maps the same way.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { logText } from "./api-client.js";
import { startTestRuntime, type TestRuntime } from "./harness.js";

type Config = Record<string, unknown>;
type Agent = { id: string; companyId: string; status: string };

export interface AdapterEngineOptions {
  /** Body of the wakeup `runOnce` sends unless given one. */
  wake?: Config;
}

export interface AdapterEngine {
  /** The running runtime; set in beforeAll. */
  readonly t: TestRuntime;
  /** The company the file's agents belong to; set in beforeAll. */
  readonly companyId: string;
  /** Absolute path of the fake CLI (made executable in beforeAll). */
  readonly fakeCli: string;
  createAgent(name: string, adapterType: string, adapterConfig: Config): Promise<Agent>;
  /** POSTs an agent without checking the answer, for the validation tests. */
  postAgent(adapterType: string, adapterConfig: Config): Promise<{ status: number; body: any }>;
  /** Wakes the agent and waits for the run to end. */
  runOnce(agentId: string, wake?: Config): Promise<any>;
  /** The raw NDJSON run log. */
  logOf(runId: string): Promise<string>;
  /** All streams of the run log, as text. */
  textOf(runId: string): Promise<string>;
  stdoutOf(runId: string): Promise<string>;
  stderrOf(runId: string): Promise<string>;
  /** cost_events rows of one run. */
  costsOf(runId: string): Promise<Array<Record<string, any>>>;
  /** cost_events rows of one agent, all runs. */
  costsOfAgent(agentId: string): Promise<Array<Record<string, any>>>;
  sessionsOf(agentId: string): Promise<Array<Record<string, unknown>>>;
}

const DEFAULT_WAKE: Config = { source: "on_demand", triggerDetail: "manual", reason: "test" };

/** Starts a runtime for the file (beforeAll/afterAll) with one company in it, and makes `fakeCli` executable. */
export function useAdapterEngine(companyName: string, fakeCli: string, opts: AdapterEngineOptions = {}): AdapterEngine {
  const cli = path.resolve(fakeCli);
  let t: TestRuntime | undefined;
  let companyId: string | undefined;

  beforeAll(async () => {
    fs.chmodSync(cli, 0o755);
    t = await startTestRuntime();
    companyId = (await t.api.createCompany(companyName)).id;
  });
  afterAll(async () => t?.stop());

  const rt = (): TestRuntime => {
    if (!t) throw new Error("the adapter engine is not started yet (use it inside a test)");
    return t;
  };
  const company = (): string => {
    if (!companyId) throw new Error("the adapter engine has no company yet (use it inside a test)");
    return companyId;
  };
  const logOf = async (runId: string) => (await rt().api.runLog(runId)).content;

  return {
    get t() {
      return rt();
    },
    get companyId() {
      return company();
    },
    fakeCli: cli,
    createAgent: (name, adapterType, adapterConfig) => rt().api.createAgent(company(), { name, adapterType, adapterConfig }),
    postAgent: (adapterType, adapterConfig) => rt().api.post(`/api/companies/${company()}/agents`, { name: "bad", role: "engineer", adapterType, adapterConfig }),
    runOnce: async (agentId, wake = opts.wake ?? DEFAULT_WAKE) => rt().api.waitForRun((await rt().api.wake(agentId, wake)).id),
    logOf,
    textOf: async (runId) => logText(await logOf(runId)),
    stdoutOf: async (runId) => logText(await logOf(runId), "stdout"),
    stderrOf: async (runId) => logText(await logOf(runId), "stderr"),
    costsOf: (runId) => rt().runtime.db.selectFrom("cost_events").selectAll().where("heartbeatRunId", "=", runId).execute(),
    costsOfAgent: (agentId) => rt().runtime.db.selectFrom("cost_events").selectAll().where("agentId", "=", agentId).execute(),
    sessionsOf: async (agentId) => (await rt().api.get(`/api/agents/${agentId}/task-sessions`)).body as Array<Record<string, unknown>>,
  };
}

/** A fake-CLI mode whose run fails: the mode, extra env, the exit code (when the file pins one) and fragments of run.error. */
export interface FailureCase {
  mode: string;
  env?: Record<string, string>;
  exitCode?: number;
  messages?: string[];
}

export interface QuotaCase extends FailureCase {
  /** retryNotBefore must be exactly this ISO time … */
  retryNotBefore?: string;
  /** … or lie `retryAfterMs` (± `slackMs`, default 1000) after the run. */
  retryAfterMs?: number;
  slackMs?: number;
  /** run.error names the retry time too. */
  retryInMessage?: boolean;
}

export interface FailureModes {
  engine: AdapterEngine;
  adapterType: string;
  /** Creates an agent of the file's adapter: the file's base config with `extra` over it. */
  agent: (name: string, extra?: Config) => Promise<Agent>;
  /** The env variable that picks the fake CLI's mode, e.g. FAKE_CLAUDE_MODE. */
  modeEnv: string;
  /** error reported by the CLI → adapter_failed, exit code 1. */
  error?: FailureCase;
  /** no login / no key → auth_required. */
  auth?: FailureCase;
  /** usage or rate limit → provider_quota with resultJson.retryNotBefore. A function is called when the test runs. */
  quota?: QuotaCase | (() => QuotaCase);
  /** config pointing at a command that does not exist → command_not_found, no exit code. */
  missingCli?: { config: Config; messages: string[] };
  /** configs refused at creation with a 422, and a fragment of the error each names (if any). */
  badConfigs?: Array<{ config: Config; message?: string }>;
}

/** Registers one test per failure mode given, the same checks for every CLI adapter. Call inside the file's describe. */
export function describeFailureModes(m: FailureModes): void {
  const { engine } = m;
  const failingAgent = (name: string, c: FailureCase) => m.agent(name, { env: { [m.modeEnv]: c.mode, ...c.env } });
  const failingRun = async (name: string, c: FailureCase) => engine.runOnce((await failingAgent(name, c)).id);
  const expectFailure = (run: any, errorCode: string, c: { exitCode?: number | null; messages?: string[] }) => {
    expect(run).toMatchObject({ status: "failed", errorCode, ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}) });
    for (const message of c.messages ?? []) expect(run.error).toContain(message);
  };

  const { error, auth, quota, missingCli, badConfigs } = m;
  if (error) {
    it("maps a reported error to adapter_failed with its message", async () => {
      expectFailure(await failingRun("erring", error), "adapter_failed", { exitCode: 1, ...error });
    });
  }

  if (auth) {
    it("maps an auth failure to auth_required", async () => {
      expectFailure(await failingRun("loggedout", auth), "auth_required", auth);
    });
  }

  if (quota) {
    it("maps a usage limit to provider_quota with the time to retry", async () => {
      const c = typeof quota === "function" ? quota() : quota;
      const agent = await failingAgent("broke", c);
      const before = Date.now();
      const run = await engine.runOnce(agent.id);
      expectFailure(run, "provider_quota", c);
      expect(run.resultJson.errorFamily).toBe("provider_quota");
      if (c.retryNotBefore !== undefined) expect(run.resultJson.retryNotBefore).toBe(c.retryNotBefore);
      if (c.retryAfterMs !== undefined) {
        const slack = c.slackMs ?? 1000;
        const retryAt = Date.parse(run.resultJson.retryNotBefore as string);
        expect(retryAt).toBeGreaterThanOrEqual(before + c.retryAfterMs - slack);
        expect(retryAt).toBeLessThanOrEqual(Date.now() + c.retryAfterMs + slack);
      }
      if (c.retryInMessage) expect(run.error).toContain(run.resultJson.retryNotBefore);
    });
  }

  if (missingCli) {
    it("maps a missing CLI to command_not_found", async () => {
      const agent = await m.agent("nocli", missingCli.config);
      expectFailure(await engine.runOnce(agent.id), "command_not_found", { exitCode: null, messages: missingCli.messages });
    });
  }

  if (badConfigs) {
    it("rejects an invalid config at creation (422)", async () => {
      for (const { config, message } of badConfigs) {
        const res = await engine.postAgent(m.adapterType, config);
        expect(res.status, JSON.stringify(config)).toBe(422);
        if (message !== undefined) expect(res.body.error).toContain(message);
      }
    });
  }
}
