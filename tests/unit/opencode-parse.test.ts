/** `opencode_local` server parts: JSONL parsing, failure classification, argv, runtime env, config and environment checks. */
import os from "node:os";
import { describe, expect, it } from "vitest";
import { opencodeLocalAdapter } from "../../adapters/opencode-local/index.js";
import { opencodeConfigSchema, providerOfModel } from "../../adapters/opencode-local/config.js";
import { classifyOpencodeFailure } from "../../adapters/opencode-local/server/errors.js";
import { buildOpencodeArgs, opencodeRuntimeEnv } from "../../adapters/opencode-local/server/execute.js";
import { OpencodeJsonlParser, parseOpencodeJsonl } from "../../adapters/opencode-local/server/parse.js";
import { truncateText } from "../../adapters/utils/text.js";

const S = "ses_3b11bfdcdffeITCXse4fCuIRnU";
const lines = (...events: unknown[]) => events.map((e) => (typeof e === "string" ? e : JSON.stringify(e))).join("\n") + "\n";
const stepFinish = (cost: number, tokens: Record<string, unknown>) => ({ type: "step_finish", timestamp: 1, sessionID: S, part: { type: "step-finish", reason: "stop", cost, tokens } });

describe("parseOpencodeJsonl", () => {
  it("sums tokens and cost over steps, counts reasoning as output, and keeps the last text as summary", () => {
    const state = parseOpencodeJsonl(
      lines(
        "INFO  starting opencode",
        { type: "step_start", timestamp: 1, sessionID: S, part: { type: "step-start" } },
        { type: "text", timestamp: 2, sessionID: S, part: { type: "text", text: "first thought" } },
        stepFinish(0.01, { input: 100, output: 10, reasoning: 5, cache: { read: 1000, write: 7 } }),
        { type: "text", timestamp: 3, sessionID: S, part: { type: "text", text: "final answer" } },
        stepFinish(0.02, { input: 50, output: 20, reasoning: 0, cache: { read: 500 } }),
        { type: "done", timestamp: 4, sessionID: S, reason: "idle" },
      ),
    );
    expect(state).toMatchObject({
      sessionId: S,
      usage: { inputTokens: 150, outputTokens: 35, cachedInputTokens: 1500 },
      steps: 2,
      lastText: "final answer",
      done: true,
      errors: [],
      nonJsonLines: 1,
    });
    expect(state.costUsd).toBeCloseTo(0.03, 10);
  });

  it("records failed tools and error events with their class and HTTP status", () => {
    const state = parseOpencodeJsonl(
      lines(
        { type: "tool_use", sessionID: S, part: { type: "tool", tool: "bash", state: { status: "completed", output: "ok" } } },
        { type: "tool_use", sessionID: S, part: { type: "tool", tool: "edit", state: { status: "error", error: "permission denied" } } },
        { type: "error", sessionID: S, error: { name: "APIError", data: { message: "Too Many Requests", statusCode: 429 } } },
        { type: "error", sessionID: S, error: { name: "UnknownError" } },
      ),
    );
    expect(state.toolErrors).toEqual([{ tool: "edit", error: "permission denied" }]);
    expect(state.errors).toEqual([
      { name: "APIError", message: "Too Many Requests", statusCode: 429 },
      { name: "UnknownError", message: "UnknownError", statusCode: null },
    ]);
    expect(state.costUsd).toBeNull();
  });

  it("ignores fields of the wrong type and session ids that are not ids", () => {
    const state = parseOpencodeJsonl(
      lines(
        { type: "step_finish", sessionID: "not an id; rm -rf /", part: { cost: "1", tokens: { input: -5, output: "9", cache: null } } },
        { type: "text", sessionID: 42, part: { text: 7 } },
        ["array"],
        { no: "type" },
      ),
    );
    expect(state).toMatchObject({ sessionId: null, usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 }, costUsd: null, lastText: null, steps: 1, nonJsonLines: 2 });
  });

  it("reassembles lines split across chunks and drops a runaway line without a newline", () => {
    const parser = new OpencodeJsonlParser();
    const event = JSON.stringify({ type: "text", sessionID: S, part: { text: "split" } }) + "\n";
    parser.push(event.slice(0, 10));
    parser.push(event.slice(10));
    parser.push("x".repeat(1024 * 1024 + 10));
    parser.push("tail of the runaway line\n");
    parser.push(JSON.stringify({ type: "text", sessionID: S, part: { text: "after" } }));
    const state = parser.end();
    expect(state.lastText).toBe("after");
    expect(state.nonJsonLines).toBe(1);
  });

  it("truncates a long summary to 4000 characters", () => {
    expect(truncateText("a".repeat(5000))).toHaveLength(4000);
    expect(truncateText("   ")).toBeNull();
  });
});

describe("OpenCode failures", () => {
  it("tells quota, auth and unknown session apart, from structured errors first", () => {
    expect(classifyOpencodeFailure([{ name: "APIError", message: "slow down", statusCode: 429 }], "")).toBe("provider_quota");
    expect(classifyOpencodeFailure([{ name: "ProviderAuthError", message: "no credentials", statusCode: null }], "")).toBe("auth_required");
    expect(classifyOpencodeFailure([{ name: "APIError", message: "invalid x-api-key", statusCode: 401 }], "")).toBe("auth_required");
    expect(classifyOpencodeFailure([], "Error: Session not found\n")).toBe("unknown_session");
    expect(classifyOpencodeFailure([{ name: "UnknownError", message: "socket hang up", statusCode: null }], "")).toBeNull();
  });
});

describe("opencode invocation", () => {
  it("puts session, model, variant and extra args in argv, never the prompt", () => {
    expect(buildOpencodeArgs({ model: "openai/gpt-5", variant: "high", extraArgs: ["--agent", "build"] }, "ses_1")).toEqual([
      "run", "--format", "json", "--session", "ses_1", "--model", "openai/gpt-5", "--variant", "high", "--agent", "build",
    ]);
    expect(buildOpencodeArgs({ model: "openai/gpt-5", extraArgs: [] }, null)).toEqual(["run", "--format", "json", "--model", "openai/gpt-5"]);
  });

  it("disables project config and, when skipping permissions, allows them all while keeping the agent's own config", () => {
    expect(opencodeRuntimeEnv({ dangerouslySkipPermissions: false }, undefined)).toEqual({ OPENCODE_DISABLE_PROJECT_CONFIG: "true" });
    const env = opencodeRuntimeEnv({ dangerouslySkipPermissions: true }, JSON.stringify({ theme: "dark", permission: { bash: "ask" } }));
    expect(env.OPENCODE_DISABLE_PROJECT_CONFIG).toBe("true");
    expect(JSON.parse(env.OPENCODE_CONFIG_CONTENT!)).toEqual({ theme: "dark", permission: { bash: "ask", "*": "allow", external_directory: "allow" } });
    expect(JSON.parse(opencodeRuntimeEnv({ dangerouslySkipPermissions: true }, "not json").OPENCODE_CONFIG_CONTENT!)).toEqual({ permission: { "*": "allow", external_directory: "allow" } });
  });

  it("takes provider and biller from the model prefix", () => {
    expect(providerOfModel("openrouter/anthropic/claude-sonnet-4")).toBe("openrouter");
  });
});

describe("opencode_local config", () => {
  const validate = opencodeLocalAdapter.validateConfig;

  it("requires a provider/model and defaults the rest", () => {
    expect(validate({ model: "anthropic/claude-sonnet-4-5" })).toEqual([]);
    expect(validate({})).toEqual([expect.objectContaining({ path: "model", message: expect.stringContaining("model is required") })]);
    expect(validate({ model: "gpt-5" })).toEqual([expect.objectContaining({ path: "model", message: expect.stringContaining('"provider/model"') })]);
    expect(validate({ model: "/gpt-5" })).toHaveLength(1);
    const config = opencodeConfigSchema.parse({ model: "openai/gpt-5" });
    expect(config).toMatchObject({ command: "opencode", dangerouslySkipPermissions: true, graceSec: 20, timeoutSec: 0, extraArgs: [], env: {} });
  });

  it("refuses extraArgs as a string, a relative cwd and a bad env value", () => {
    expect(validate({ model: "a/b", extraArgs: "--x" })).toEqual([expect.objectContaining({ path: "extraArgs", message: expect.stringContaining("array of strings") })]);
    expect(validate({ model: "a/b", cwd: "rel" })).toEqual([expect.objectContaining({ path: "cwd" })]);
    expect(validate({ model: "a/b", env: { K: 5 } })).toEqual([expect.objectContaining({ path: "env.K" })]);
  });

  it("bounds a run by two attempts of timeout plus grace", () => {
    expect(opencodeLocalAdapter.maxRunSeconds({ model: "a/b", timeoutSec: 100, graceSec: 10 })).toBe(220);
  });
});

describe("opencode_local testEnvironment", () => {
  const test = (config: Record<string, unknown>) => opencodeLocalAdapter.module.testEnvironment({ companyId: "c", adapterType: "opencode_local", config });

  it("passes with a resolvable command, an existing cwd and a provider/model", async () => {
    const result = await test({ command: process.execPath, cwd: os.tmpdir(), model: "anthropic/claude-sonnet-4-5" });
    expect(result.status).toBe("pass");
    expect(result.checks.map((c) => c.code)).toEqual(["opencode_cwd_valid", "opencode_command_resolvable", "opencode_model_configured"]);
  });

  it("fails with stable codes when the model, cwd or command is wrong", async () => {
    const result = await test({ command: "no-such-opencode-xyz", cwd: "/no/such/dir", model: "gpt-5" });
    expect(result.status).toBe("fail");
    expect(result.checks.map((c) => c.code)).toEqual(
      expect.arrayContaining(["opencode_config_invalid", "opencode_cwd_invalid", "opencode_command_unresolvable", "opencode_model_invalid"]),
    );
  });
});
