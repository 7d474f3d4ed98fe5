/** `cursor` server parts: stream-json parsing, failure classification, argv, config and environment checks. */
import os from "node:os";
import { describe, expect, it } from "vitest";
import { cursorAdapter } from "../../adapters/cursor/index.js";
import { cursorConfigSchema, hasCursorApiKey } from "../../adapters/cursor/config.js";
import { classifyCursorFailure } from "../../adapters/cursor/server/errors.js";
import { buildCursorArgs } from "../../adapters/cursor/server/execute.js";
import { CursorStreamParser, parseCursorStreamJson } from "../../adapters/cursor/server/parse.js";

const SID = "0f9c6b1e-2f0a-4c7e-9a51-5b0a8f7f2d11";
const lines = (...events: unknown[]) => events.map((e) => (typeof e === "string" ? e : JSON.stringify(e))).join("\n") + "\n";

describe("parseCursorStreamJson", () => {
  it("takes session and model from init, the summary and usage from the result", () => {
    const state = parseCursorStreamJson(
      lines(
        "Cursor Agent v2026.01",
        { type: "system", subtype: "init", apiKeySource: "login", cwd: "/w", session_id: SID, model: "Claude 4.5 Sonnet", permissionMode: "default" },
        { type: "user", message: { role: "user", content: [{ type: "text", text: "do it" }] }, session_id: SID },
        { type: "assistant", message: { role: "assistant", content: [{ type: "text", text: "Working on it" }] }, session_id: SID },
        { type: "tool_call", subtype: "started", call_id: "c1", tool_call: { readToolCall: { args: { path: "a" } } }, session_id: SID },
        { type: "tool_call", subtype: "completed", call_id: "c1", tool_call: { readToolCall: { args: { path: "a" }, result: { success: { content: "x" } } } }, session_id: SID },
        { type: "tool_call", subtype: "completed", call_id: "c2", tool_call: { writeToolCall: { args: {}, result: { error: { errorMessage: "read-only file" } } } }, session_id: SID },
        { type: "result", subtype: "success", is_error: false, duration_ms: 1234, result: "All done", session_id: SID, usage: { input_tokens: 10, cache_read_input_tokens: 30, output_tokens: 20 }, cost_usd: 0.5 },
      ),
    );
    expect(state).toMatchObject({
      sessionId: SID,
      model: "Claude 4.5 Sonnet",
      usage: { inputTokens: 10, outputTokens: 20, cachedInputTokens: 30 },
      costUsd: 0.5,
      hasResult: true,
      isError: false,
      subtype: "success",
      resultText: "All done",
      durationMs: 1234,
      lastAssistantText: "Working on it",
      toolCalls: 1,
      toolErrors: [{ tool: "write", error: "read-only file" }],
      errors: [],
      nonJsonLines: 1,
    });
  });

  it("accepts sessionId/sessionID spellings, camelCase usage and step_finish tokens as a fallback", () => {
    expect(parseCursorStreamJson(lines({ type: "system", sessionId: "a-1" })).sessionId).toBe("a-1");
    expect(parseCursorStreamJson(lines({ type: "assistant", sessionID: "b-2" })).sessionId).toBe("b-2");
    const camel = parseCursorStreamJson(lines({ type: "result", subtype: "success", usage: { inputTokens: 1, outputTokens: 2, cacheReadTokens: 3 }, total_cost_usd: 0.1 }));
    expect(camel).toMatchObject({ usage: { inputTokens: 1, outputTokens: 2, cachedInputTokens: 3 }, costUsd: 0.1 });
    const steps = parseCursorStreamJson(
      lines(
        { type: "step_finish", part: { tokens: { input: 5, output: 4, reasoning: 1, cache: { read: 9 } } } },
        { type: "step_finish", part: { tokens: { input: 5, output: 0 } } },
        { type: "result", subtype: "success", result: "ok", cost: 0.2 },
      ),
    );
    expect(steps).toMatchObject({ usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 9 }, costUsd: 0.2 });
    expect(parseCursorStreamJson(lines({ type: "result", subtype: "success" })).usage).toBeNull();
  });

  it("records an errored result and error events", () => {
    const state = parseCursorStreamJson(
      lines({ type: "error", message: "stream interrupted" }, { type: "result", subtype: "error", is_error: true, result: "Model request failed" }),
    );
    expect(state).toMatchObject({ isError: true, subtype: "error", errors: ["stream interrupted", "Model request failed"] });
  });

  it("ignores wrong types and reassembles split lines", () => {
    const parser = new CursorStreamParser();
    const init = JSON.stringify({ type: "system", subtype: "init", session_id: SID, model: 7 }) + "\n";
    parser.push(init.slice(0, 7));
    parser.push(init.slice(7));
    parser.push(lines({ type: "result", is_error: "yes", usage: { input_tokens: "9" }, total_cost_usd: -1, session_id: "bad id!" }, "[1]"));
    expect(parser.end()).toMatchObject({ sessionId: SID, model: null, usage: null, costUsd: null, isError: false, nonJsonLines: 1 });
  });
});

describe("Cursor failures", () => {
  it("tells quota, auth and unknown chats apart", () => {
    expect(classifyCursorFailure("Error: Authentication required. Please run 'agent login' first, or set CURSOR_API_KEY environment variable.")).toBe("auth_required");
    expect(classifyCursorFailure("⚠ Warning: The provided API key is invalid.")).toBe("auth_required");
    expect(classifyCursorFailure("You've hit your usage limit. Try again in 3 hours.")).toBe("provider_quota");
    expect(classifyCursorFailure('Error: Session "abc" not found')).toBe("unknown_session");
    expect(classifyCursorFailure("Error: chat 1234 does not exist")).toBe("unknown_session");
    expect(classifyCursorFailure("segmentation fault")).toBeNull();
  });
});

describe("cursor invocation", () => {
  it("passes workspace, resume, model and mode, and adds --yolo unless a trust flag is given", () => {
    expect(buildCursorArgs({ model: "auto", mode: "ask", extraArgs: [] }, "/w", "s-1")).toEqual([
      "-p", "--output-format", "stream-json", "--workspace", "/w", "--resume", "s-1", "--model", "auto", "--mode", "ask", "--yolo",
    ]);
    for (const trust of ["--trust", "--yolo", "-f", "--force"]) {
      expect(buildCursorArgs({ extraArgs: [trust] }, "/w", null)).toEqual(["-p", "--output-format", "stream-json", "--workspace", "/w", trust]);
    }
  });
});

describe("cursor config", () => {
  const validate = cursorAdapter.validateConfig;

  it("defaults command to agent and accepts only plan or ask as mode", () => {
    expect(cursorConfigSchema.parse({})).toMatchObject({ command: "agent", graceSec: 20, timeoutSec: 0, extraArgs: [], env: {} });
    expect(validate({ mode: "plan" })).toEqual([]);
    expect(validate({ mode: "agent" })).toEqual([expect.objectContaining({ path: "mode", message: expect.stringContaining('"plan" or "ask"') })]);
    expect(validate({ extraArgs: "--trust" })).toEqual([expect.objectContaining({ path: "extraArgs", message: expect.stringContaining("array of strings") })]);
  });

  it("sees an API key as a string or a secret binding", () => {
    expect(hasCursorApiKey({ CURSOR_API_KEY: "k" })).toBe(true);
    expect(hasCursorApiKey({ CURSOR_API_KEY: { type: "secret_ref", secretId: "00000000-0000-4000-8000-000000000000" } })).toBe(true);
    expect(hasCursorApiKey({ CURSOR_API_KEY: " " })).toBe(false);
    expect(hasCursorApiKey(undefined)).toBe(false);
  });
});

describe("cursor testEnvironment", () => {
  const test = (config: Record<string, unknown>) => cursorAdapter.module.testEnvironment({ companyId: "c", adapterType: "cursor", config });

  it("warns without an API key and passes with one", async () => {
    const withoutKey = await test({ command: process.execPath, cwd: os.tmpdir() });
    expect(withoutKey.status).toBe("warn");
    expect(withoutKey.checks.map((c) => c.code)).toEqual(["cursor_cwd_valid", "cursor_command_resolvable", "cursor_api_key_missing"]);
    const withKey = await test({ command: process.execPath, cwd: os.tmpdir(), env: { CURSOR_API_KEY: "k" } });
    expect(withKey.status).toBe("pass");
    expect(withKey.checks.at(-1)?.code).toBe("cursor_api_key_present");
  });

  it("fails with stable codes when the command or cwd is wrong", async () => {
    const result = await test({ command: "no-such-agent-xyz", cwd: "/no/such/dir" });
    expect(result.status).toBe("fail");
    expect(result.checks.map((c) => c.code)).toEqual(expect.arrayContaining(["cursor_cwd_invalid", "cursor_command_unresolvable"]));
  });
});
