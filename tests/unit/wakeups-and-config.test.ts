/** Pure building blocks: wake requests, configuration, issue prefixes, child env, process adapter config. */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_GRACE_SEC, processConfigSchema } from "../../adapters/process/config.js";
import { INHERITED_ENV_ALLOW_LIST, composeChildEnv, inheritedEnv, redactEnv } from "../../adapters/utils/env.js";
import { ConfigError, loadConfig } from "../../core/config.js";
import { deriveIssuePrefixBase, issuePrefixCandidates } from "../../core/issue-prefix.js";
import { buildWakeRequest, deriveTaskKey } from "../../core/wakeups.js";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("buildWakeRequest", () => {
  it("defaults to an on-demand, manual wake with no task", () => {
    const now = new Date("2025-01-02T03:04:05.000Z");
    const req = buildWakeRequest({}, now);
    expect(req).toMatchObject({
      source: "on_demand",
      triggerDetail: "manual",
      reason: null,
      payload: null,
      idempotencyKey: null,
      requestedByActorType: null,
      requestedByActorId: null,
      taskKey: null,
    });
    expect(req.contextSnapshot).toEqual({
      wakeReason: null,
      wakeSource: "on_demand",
      wakeTriggerDetail: "manual",
      forceFreshSession: false,
      requestedAt: "2025-01-02T03:04:05.000Z",
    });
  });

  it("a timer wake defaults to triggerDetail system; other sources have none unless given", () => {
    expect(buildWakeRequest({ source: "timer" }).triggerDetail).toBe("system");
    expect(buildWakeRequest({ source: "assignment" }).triggerDetail).toBeNull();
    expect(buildWakeRequest({ source: "automation" }).triggerDetail).toBeNull();
    const explicit = buildWakeRequest({ source: "timer", triggerDetail: "ping" });
    expect(explicit.triggerDetail).toBe("ping");
    expect(explicit.contextSnapshot.wakeTriggerDetail).toBe("ping");
  });

  it("derives the task key: taskKey > taskId > issueId, from the context first, then the payload", () => {
    const all = { taskKey: "tk", taskId: "tid", issueId: "iid" };
    expect(buildWakeRequest({ context: all }).taskKey).toBe("tk");
    expect(buildWakeRequest({ context: { taskId: "tid", issueId: "iid" } }).taskKey).toBe("tid");
    expect(buildWakeRequest({ context: { issueId: "iid" } }).taskKey).toBe("iid");
    expect(buildWakeRequest({ payload: all }).taskKey).toBe("tk");
    expect(buildWakeRequest({ payload: { taskId: "tid", issueId: "iid" } }).taskKey).toBe("tid");
    expect(buildWakeRequest({ payload: { issueId: "iid" } }).taskKey).toBe("iid");
    // Anything in the context beats everything in the payload.
    expect(buildWakeRequest({ context: { issueId: "ctx-issue" }, payload: { taskKey: "payload-key" } }).taskKey).toBe("ctx-issue");
    // Empty strings and non-strings do not count.
    expect(deriveTaskKey({ taskKey: "", taskId: 42 }, { issueId: "iid" })).toBe("iid");
    expect(deriveTaskKey({}, null)).toBeNull();
  });

  it("puts the issue, task, comment and wake details in the context snapshot", () => {
    const req = buildWakeRequest({
      source: "assignment",
      triggerDetail: "system",
      reason: "issue_commented",
      payload: { issueId: "issue-1", commentId: "comment-1" },
      idempotencyKey: "idem-1",
      requestedByActorType: "user",
      requestedByActorId: "local-board",
    });
    expect(req).toMatchObject({
      source: "assignment",
      triggerDetail: "system",
      reason: "issue_commented",
      idempotencyKey: "idem-1",
      requestedByActorType: "user",
      requestedByActorId: "local-board",
      taskKey: "issue-1",
      payload: { issueId: "issue-1", commentId: "comment-1" },
    });
    expect(req.contextSnapshot).toMatchObject({
      wakeReason: "issue_commented",
      wakeSource: "assignment",
      wakeTriggerDetail: "system",
      issueId: "issue-1",
      taskId: "issue-1",
      taskKey: "issue-1",
      commentId: "comment-1",
      wakeCommentId: "comment-1",
    });
  });

  it("keeps caller context and does not mutate the input", () => {
    const context = { approvalId: "ap-1", taskId: "t-1" };
    const req = buildWakeRequest({ context, forceFreshSession: true });
    expect(req.contextSnapshot).toMatchObject({ approvalId: "ap-1", taskId: "t-1", taskKey: "t-1", forceFreshSession: true });
    expect(context).toEqual({ approvalId: "ap-1", taskId: "t-1" });
  });

  it("gives every call a fresh uuid wakeupRequestId", () => {
    const ids = Array.from({ length: 20 }, () => buildWakeRequest({ reason: "same" }).wakeupRequestId);
    for (const id of ids) expect(id).toMatch(UUID_RE);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("loadConfig", () => {
  it("has Paperclip-compatible defaults", () => {
    const c = loadConfig({});
    expect(c.port).toBe(3100);
    expect(c.host).toBe("127.0.0.1");
    expect(c.temporal.taskQueue).toBe("switchboard");
    expect(c.temporal.namespace).toBe("default");
    expect(c.agentApiUrl).toBe("http://127.0.0.1:3100");
    expect(c.role).toBe("all");
    expect(c.databaseUrl).toBeUndefined();
    expect(c.temporal.address).toBeUndefined();
    expect(c.temporal.tls).toBe(false);
  });

  it("derives the exec task queue and the agent API URL (no /api suffix) from the settings", () => {
    const c = loadConfig({ PORT: "4000", HOST: "10.0.0.5", TEMPORAL_TASK_QUEUE: "q1", PAPERCLIP_DEPLOYMENT_MODE: "authenticated" });
    expect(c.port).toBe(4000);
    expect(c.temporal.taskQueue).toBe("q1");
    expect(c.agentApiUrl).toBe("http://10.0.0.5:4000");
    // A wildcard bind address is not a URL an agent can call.
    expect(loadConfig({ HOST: "0.0.0.0", PAPERCLIP_DEPLOYMENT_MODE: "authenticated" }).agentApiUrl).toBe("http://localhost:3100");
  });

  it("strips trailing slashes from PAPERCLIP_API_URL", () => {
    expect(loadConfig({ PAPERCLIP_API_URL: "https://board.example.com/" }).agentApiUrl).toBe("https://board.example.com");
    expect(loadConfig({ PAPERCLIP_API_URL: "http://host:9000//" }).agentApiUrl).toBe("http://host:9000");
  });

  it("treats empty strings as unset", () => {
    const c = loadConfig({ PORT: "", HOST: "", DATABASE_URL: "", PAPERCLIP_API_URL: "", TEMPORAL_TASK_QUEUE: "" });
    expect(c.port).toBe(3100);
    expect(c.host).toBe("127.0.0.1");
    expect(c.databaseUrl).toBeUndefined();
    expect(c.agentApiUrl).toBe("http://127.0.0.1:3100");
    expect(c.temporal.taskQueue).toBe("switchboard");
  });

  it("resolves SWITCHBOARD_HOME to an absolute path", () => {
    expect(loadConfig({ SWITCHBOARD_HOME: "relative/home" }).home).toBe(path.resolve("relative/home"));
  });

  it.each(["abc", "70000", "-1", "3.5"])("rejects PORT=%s with a ConfigError that names PORT", (port) => {
    let error: unknown;
    try {
      loadConfig({ PORT: port });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain("PORT");
  });

  it("rejects an invalid DATABASE_URL and an unknown role, naming each", () => {
    expect(() => loadConfig({ DATABASE_URL: "not a url" })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ SWITCHBOARD_ROLE: "boss" })).toThrow(/SWITCHBOARD_ROLE/);
  });
});

describe("issue prefixes", () => {
  it("takes the first three letters of the name, uppercased", () => {
    expect(deriveIssuePrefixBase("Acme Corp")).toBe("ACM");
    expect(deriveIssuePrefixBase("a.b-c d")).toBe("ABC");
    expect(deriveIssuePrefixBase("X1")).toBe("X");
  });

  it("falls back to CMP when the name has no letters", () => {
    expect(deriveIssuePrefixBase("123 !!!")).toBe("CMP");
    expect(deriveIssuePrefixBase("")).toBe("CMP");
  });

  it("offers ACM, ACMA, ACMAA … as candidates, in order", () => {
    expect([...issuePrefixCandidates("Acme Corp", 3)]).toEqual(["ACM", "ACMA", "ACMAA"]);
    expect([...issuePrefixCandidates("42", 2)]).toEqual(["CMP", "CMPA"]);
  });
});

describe("child process env", () => {
  const source = {
    PATH: "/opt/bin:/usr/bin",
    HOME: "/home/agent",
    LANG: "C.UTF-8",
    DATABASE_URL: "postgres://secret@db/prod",
    AWS_SECRET_ACCESS_KEY: "aws-secret",
    TEMPORAL_API_KEY: "temporal-secret",
    PAPERCLIP_API_KEY: "server-own-key",
  };

  it("inherits only allow-listed keys from the server env", () => {
    const env = composeChildEnv({}, {}, source);
    expect(env).toEqual({ PATH: "/opt/bin:/usr/bin", HOME: "/home/agent", LANG: "C.UTF-8" });
    expect(env).not.toHaveProperty("DATABASE_URL");
    expect(env).not.toHaveProperty("AWS_SECRET_ACCESS_KEY");
    expect(env).not.toHaveProperty("TEMPORAL_API_KEY");
    expect(env).not.toHaveProperty("PAPERCLIP_API_KEY");
    for (const key of Object.keys(env)) expect(INHERITED_ENV_ALLOW_LIST as readonly string[]).toContain(key);
  });

  it("adds the agent's configured env, but config cannot set PAPERCLIP_* keys", () => {
    const env = composeChildEnv(
      { OPENAI_MODEL: "gpt", HOME: "/override", PAPERCLIP_AGENT_ID: "forged", PAPERCLIP_API_URL: "http://evil" },
      { PAPERCLIP_AGENT_ID: "real-agent" },
      source,
    );
    expect(env.OPENAI_MODEL).toBe("gpt");
    expect(env.HOME).toBe("/override");
    expect(env.PAPERCLIP_AGENT_ID).toBe("real-agent");
    expect(env).not.toHaveProperty("PAPERCLIP_API_URL");
  });

  it("runtime keys win over config and inherited values", () => {
    const env = composeChildEnv({ PATH: "/config/bin", FOO: "config" }, { PATH: "/runtime/bin", FOO: "runtime", PAPERCLIP_RUN_ID: "r1" }, source);
    expect(env).toMatchObject({ PATH: "/runtime/bin", FOO: "runtime", PAPERCLIP_RUN_ID: "r1" });
  });

  it("drops non-string config values and ignores a config env that is not an object", () => {
    const env = composeChildEnv({ NUM: 1, BOOL: true, OBJ: { a: 1 }, NUL: null, OK: "yes" }, {}, source);
    expect(env.OK).toBe("yes");
    for (const k of ["NUM", "BOOL", "OBJ", "NUL"]) expect(env).not.toHaveProperty(k);
    expect(composeChildEnv(["A=1"], {}, source)).toEqual(composeChildEnv({}, {}, source));
    expect(composeChildEnv("A=1", {}, source)).toEqual(composeChildEnv({}, {}, source));
  });

  it("gives the child a default PATH when the server has none", () => {
    const env = composeChildEnv({}, {}, { DATABASE_URL: "x" });
    expect(env.PATH).toMatch(/\/usr\/bin/);
    expect(env).toEqual({ PATH: env.PATH });
    expect(inheritedEnv({}).PATH).toBe(env.PATH);
  });

  it("redactEnv hides values of secret-looking names and keeps the rest", () => {
    const redacted = redactEnv({
      OPENAI_API_KEY: "sk-1",
      GITHUB_TOKEN: "ghp",
      CLIENT_SECRET: "s",
      DB_PASSWORD: "p",
      PAPERCLIP_API_KEY: "pk",
      PATH: "/usr/bin",
      PAPERCLIP_RUN_ID: "run-1",
    });
    expect(redacted).toEqual({
      OPENAI_API_KEY: "***REDACTED***",
      GITHUB_TOKEN: "***REDACTED***",
      CLIENT_SECRET: "***REDACTED***",
      DB_PASSWORD: "***REDACTED***",
      PAPERCLIP_API_KEY: "***REDACTED***",
      PATH: "/usr/bin",
      PAPERCLIP_RUN_ID: "run-1",
    });
    expect(JSON.stringify(redacted)).not.toMatch(/sk-1|ghp/);
  });
});

describe("process adapter config", () => {
  const messages = (input: unknown) => {
    const r = processConfigSchema.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };

  it("applies defaults: args [], graceSec 15, timeoutSec 0, env {}", () => {
    const parsed = processConfigSchema.parse({ command: "node" });
    expect(parsed).toMatchObject({ command: "node", args: [], graceSec: 15, timeoutSec: 0, env: {} });
    expect(DEFAULT_GRACE_SEC).toBe(15);
    expect(parsed.cwd).toBeUndefined();
  });

  it("rejects args given as one string, explaining that it must be an array", () => {
    const m = messages({ command: "node", args: "-e console.log(1)" });
    expect(m).toHaveLength(1);
    expect(m[0]).toMatch(/^args: /);
    expect(m[0]).toContain("array");
  });

  it("rejects a relative cwd", () => {
    const m = messages({ command: "node", cwd: "some/dir" });
    expect(m).toEqual(["cwd: cwd must be an absolute path"]);
    expect(messages({ command: "node", cwd: "/tmp" })).toEqual([]);
  });

  it("requires a non-empty command and string env values", () => {
    expect(messages({}).join()).toMatch(/command/);
    expect(messages({ command: "   " }).join()).toMatch(/command must not be empty/);
    expect(messages({ command: "node", env: { A: 1 } }).join()).toMatch(/env values must be strings/);
    expect(messages({ command: "node", args: ["ok", 3] }).join()).toMatch(/every element of args must be a string/);
  });
});
