/** Gemini CLI stream-json parsing, failure classification, quota reset times, argv and config of `gemini_local`. */
import { describe, expect, it } from "vitest";
import { geminiLocalAdapter } from "../../adapters/gemini-local/index.js";
import { configuredApiKeyName, geminiConfigSchema } from "../../adapters/gemini-local/config.js";
import { readGeminiEvent } from "../../adapters/gemini-local/events.js";
import { buildGeminiArgs } from "../../adapters/gemini-local/server/execute.js";
import { GeminiStreamParser, classifyGeminiFailure, parseGeminiStreamJson } from "../../adapters/gemini-local/server/parse.js";
import { testGeminiEnvironment } from "../../adapters/gemini-local/server/test.js";

const lines = (...events: unknown[]) => events.map((e) => (typeof e === "string" ? e : JSON.stringify(e))).join("\n") + "\n";
const ts = "2025-10-10T12:00:00.000Z";

describe("parseGeminiStreamJson", () => {
  it("takes session, model, usage and the final assistant message from a real-shaped stream", () => {
    const out = parseGeminiStreamJson(
      lines(
        "Loaded cached credentials.",
        { type: "init", timestamp: ts, session_id: "s-1", model: "gemini-2.5-pro" },
        { type: "message", timestamp: ts, role: "user", content: "do it" },
        { type: "message", timestamp: ts, role: "assistant", content: "Looking", delta: true },
        { type: "message", timestamp: ts, role: "assistant", content: " around.", delta: true },
        { type: "tool_use", timestamp: ts, tool_name: "read_file", tool_id: "read-1", parameters: { path: "a" } },
        { type: "tool_result", timestamp: ts, tool_id: "read-1", status: "success", output: "x" },
        { type: "message", timestamp: ts, role: "assistant", content: "All ", delta: true },
        { type: "message", timestamp: ts, role: "assistant", content: "done.", delta: true },
        "[1, 2]",
        { type: "result", timestamp: ts, status: "success", stats: { total_tokens: 80, input_tokens: 50, output_tokens: 30, cached: 20, input: 30, duration_ms: 5, tool_calls: 1 } },
      ),
    );
    expect(out).toMatchObject({
      sessionId: "s-1",
      model: "gemini-2.5-pro",
      usage: { inputTokens: 30, outputTokens: 30, cachedInputTokens: 20 },
      costUsd: null,
      hasResult: true,
      isError: false,
      summary: "All done.",
      toolCalls: 1,
      skippedLines: 2,
    });
  });

  it("keeps the message before the last tool call when the run ends on a tool", () => {
    const out = parseGeminiStreamJson(
      lines(
        { type: "message", role: "assistant", content: "Plan: run ls" },
        { type: "tool_use", tool_name: "run_shell_command", tool_id: "t1", parameters: {} },
        { type: "result", status: "success", stats: {} },
      ),
    );
    expect(out.summary).toBe("Plan: run ls");
  });

  it("accepts other spellings: sessionId, usageMetadata, cost fields", () => {
    const out = parseGeminiStreamJson(
      lines(
        { type: "init", sessionId: "s-2" },
        { type: "assistant", text: "hi" },
        { type: "result", status: "success", usageMetadata: { promptTokenCount: 100, cachedContentTokenCount: 40, candidatesTokenCount: 7 }, total_cost_usd: 0.012 },
      ),
    );
    expect(out).toMatchObject({ sessionId: "s-2", usage: { inputTokens: 60, outputTokens: 7, cachedInputTokens: 40 }, costUsd: 0.012, summary: "hi" });
    expect(parseGeminiStreamJson(lines({ type: "result", status: "success", usage: { input_tokens: 5, output_tokens: 2 }, cost: 1.5 }, { type: "init", sessionID: "s-3" }))).toMatchObject({ sessionId: "s-3", costUsd: 1.5, usage: { inputTokens: 5, outputTokens: 2, cachedInputTokens: 0 } });
  });

  it("reports an error result and error events; unusable counts give no usage", () => {
    const out = parseGeminiStreamJson(
      lines(
        { type: "error", severity: "warning", message: "Loop detected" },
        { type: "result", status: "error", error: { type: "TerminalQuotaError", message: "quota gone" }, stats: { input_tokens: -5, output_tokens: "x" } },
      ),
    );
    expect(out).toMatchObject({ isError: true, errorType: "TerminalQuotaError", errorMessage: "quota gone", errorEvents: ["Loop detected"], usage: null, summary: null });
  });

  it("handles events split across chunks, a last line without newline, and a runaway line", () => {
    const text = lines({ type: "init", session_id: "s-4" }) + "x".repeat(1024 * 1024 + 10) + "\n" + JSON.stringify({ type: "message", role: "assistant", content: "ok" });
    const parser = new GeminiStreamParser();
    for (let i = 0; i < text.length; i += 4096) parser.push(text.slice(i, i + 4096));
    expect(parser.end()).toMatchObject({ sessionId: "s-4", summary: "ok", skippedLines: 1, hasResult: false });
  });

  it("caps the summary at 4000 characters", () => {
    const out = parseGeminiStreamJson(lines({ type: "message", role: "assistant", content: "a".repeat(10_000) }));
    expect(out.summary).toHaveLength(4000);
    expect(out.summary?.endsWith("…")).toBe(true);
  });

  it("never throws on hostile lines", () => {
    for (const line of ["{", "null", '{"type":5}', '{"type":"message","role":"assistant","content":{"a":1}}', '{"type":"result","stats":[1]}', '{"type":"tool_use","parameters":null}']) {
      expect(() => parseGeminiStreamJson(line)).not.toThrow();
    }
    expect(readGeminiEvent('{"type":"init","session_id":' + JSON.stringify("x".repeat(500)) + "}")).toEqual({ type: "init", sessionId: null, model: null });
  });
});

describe("classifyGeminiFailure", () => {
  it("recognises quota, auth and unknown-session messages of the real CLI", () => {
    expect(classifyGeminiFailure("[API Error: You have exhausted your capacity on this model. Your quota will reset after 2h.]", 1)).toBe("provider_quota");
    expect(classifyGeminiFailure('{"error":{"code":429,"status":"RESOURCE_EXHAUSTED"}}', 1)).toBe("provider_quota");
    expect(classifyGeminiFailure("Quota exceeded for quota metric 'Generate Content API requests per minute'", 1)).toBe("provider_quota");
    expect(classifyGeminiFailure("Please set an Auth method in your /root/.gemini/settings.json or specify one of the following environment variables before running: GEMINI_API_KEY", 41)).toBe("auth_required");
    expect(classifyGeminiFailure("API key not valid. Please pass a valid API key.", 1)).toBe("auth_required");
    expect(classifyGeminiFailure("something odd", 41)).toBe("auth_required");
    expect(classifyGeminiFailure('Error resuming session: Invalid session identifier "abc".', 42)).toBe("unknown_session");
    expect(classifyGeminiFailure("No previous sessions found for this project.", 42)).toBe("unknown_session");
    expect(classifyGeminiFailure("used 429 tokens then crashed: TypeError", 1)).toBeNull();
  });
});

describe("gemini_local argv and config", () => {
  const config = geminiConfigSchema.parse({});
  it("builds the documented invocation, prompt last in argv", () => {
    expect(buildGeminiArgs(config, "hello", null)).toEqual(["--output-format", "stream-json", "--approval-mode", "yolo", "--sandbox=none", "--prompt", "hello"]);
    expect(buildGeminiArgs({ ...config, model: "flash", sandbox: true, extraArgs: ["--debug"] }, "-x", "sess-1")).toEqual([
      "--output-format", "stream-json", "--resume", "sess-1", "--model", "flash", "--approval-mode", "yolo", "--sandbox", "--debug", "--prompt", "-x",
    ]);
  });

  it("validates config with clear messages and bounds the run time", () => {
    expect(geminiLocalAdapter.validateConfig({ extraArgs: "--debug" })).toEqual([{ path: "extraArgs", message: expect.stringContaining("extraArgs must be an array of strings") }]);
    expect(geminiLocalAdapter.validateConfig({ cwd: "rel", sandbox: "yes" }).map((p) => p.path).sort()).toEqual(["cwd", "sandbox"]);
    expect(geminiLocalAdapter.validateConfig({ env: { GEMINI_API_KEY: { type: "secret_ref", secretId: "00000000-0000-4000-8000-000000000000" } } })).toEqual([]);
    expect(config).toMatchObject({ command: "gemini", sandbox: false, extraArgs: [], graceSec: 20, timeoutSec: 0 });
    expect(geminiLocalAdapter.maxRunSeconds({ timeoutSec: 60, graceSec: 5 })).toBe(130);
    expect(geminiLocalAdapter.maxRunSeconds({})).toBe(24 * 3600);
  });

  it("treats GEMINI_API_KEY or GOOGLE_API_KEY (string or secret binding) as an API key", () => {
    expect(configuredApiKeyName({ GEMINI_API_KEY: "k" })).toBe("GEMINI_API_KEY");
    expect(configuredApiKeyName({ GOOGLE_API_KEY: { type: "secret_ref", secretId: "x" } })).toBe("GOOGLE_API_KEY");
    expect(configuredApiKeyName({ GEMINI_API_KEY: "  " })).toBeNull();
    expect(configuredApiKeyName(undefined)).toBeNull();
  });
});

describe("testGeminiEnvironment", () => {
  it("warns when no API key is configured and passes with one", async () => {
    const missing = await testGeminiEnvironment({ companyId: "c", adapterType: "gemini_local", config: { command: process.execPath, cwd: "/" } });
    expect(missing.status).toBe("warn");
    expect(missing.checks.map((c) => c.code)).toEqual(["gemini_cwd_valid", "gemini_command_resolvable", "gemini_api_key_missing"]);
    const present = await testGeminiEnvironment({ companyId: "c", adapterType: "gemini_local", config: { command: process.execPath, env: { GEMINI_API_KEY: "k" } } });
    expect(present.status).toBe("pass");
    expect(present.checks.map((c) => c.code)).toContain("gemini_api_key_present");
  });

  it("fails on a bad cwd or a command that does not resolve", async () => {
    const res = await testGeminiEnvironment({ companyId: "c", adapterType: "gemini_local", config: { command: "definitely-not-gemini-xyz", cwd: "/definitely/not/here" } });
    expect(res.status).toBe("fail");
    expect(res.checks.map((c) => c.code)).toEqual(expect.arrayContaining(["gemini_cwd_invalid", "gemini_command_unresolvable", "gemini_api_key_missing"]));
  });
});
