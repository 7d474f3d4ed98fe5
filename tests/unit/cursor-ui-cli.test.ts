/** `cursor` ui and cli parts: transcript entries, form → adapterConfig, terminal lines. */
import { describe, expect, it } from "vitest";
import { formatStdoutEvent } from "../../adapters/cursor/cli/format-event.js";
import { buildConfig } from "../../adapters/cursor/ui/build-config.js";
import { parseStdoutLine } from "../../adapters/cursor/ui/parse-stdout.js";
import { cursorAdapter } from "../../adapters/cursor/index.js";

const ts = "2026-01-01T00:00:00.000Z";
const line = (e: unknown) => JSON.stringify(e);
const SID = "0f9c6b1e-2f0a-4c7e-9a51-5b0a8f7f2d11";

const started = { type: "tool_call", subtype: "started", call_id: "c1", tool_call: { shellToolCall: { args: { command: "npm test" } } }, session_id: SID };
const completed = { type: "tool_call", subtype: "completed", call_id: "c1", tool_call: { shellToolCall: { args: { command: "npm test" }, result: { success: { stdout: "ok" } } } }, session_id: SID };
const result = { type: "result", subtype: "success", is_error: false, result: "Done", session_id: SID, usage: { input_tokens: 10, cached_input_tokens: 3, output_tokens: 5 }, total_cost_usd: 0.02 };

describe("cursor parseStdoutLine", () => {
  it("maps init, user, assistant, thinking, tool calls and the result", () => {
    expect(parseStdoutLine(line({ type: "system", subtype: "init", session_id: SID, model: "Auto" }), ts)).toEqual([{ kind: "init", ts, model: "Auto", sessionId: SID }]);
    expect(parseStdoutLine(line({ type: "user", message: { role: "user", content: [{ type: "text", text: "hi" }] } }), ts)).toEqual([{ kind: "user", ts, text: "hi" }]);
    expect(parseStdoutLine(line({ type: "assistant", message: { role: "assistant", content: [{ type: "text", text: "on it" }] } }), ts)).toEqual([{ kind: "assistant", ts, text: "on it" }]);
    expect(parseStdoutLine(line({ type: "thinking", subtype: "delta", text: "hmm" }), ts)).toEqual([{ kind: "thinking", ts, text: "hmm", delta: true }]);
    expect(parseStdoutLine(line(started), ts)).toEqual([{ kind: "tool_call", ts, name: "shell", input: { command: "npm test" }, toolUseId: "c1" }]);
    expect(parseStdoutLine(line(completed), ts)).toEqual([{ kind: "tool_result", ts, toolUseId: "c1", toolName: "shell", content: "ok", isError: false }]);
    expect(parseStdoutLine(line(result), ts)).toEqual([
      { kind: "result", ts, text: "Done", inputTokens: 10, outputTokens: 5, cachedTokens: 3, costUsd: 0.02, subtype: "success", isError: false, errors: [] },
    ]);
  });

  it("marks failed tools and errored results, and keeps other lines as stdout", () => {
    const failedTool = { type: "tool_call", subtype: "completed", call_id: "c2", tool_call: { editToolCall: { args: {}, result: { error: { errorMessage: "no such file" } } } } };
    expect(parseStdoutLine(line(failedTool), ts)).toEqual([{ kind: "tool_result", ts, toolUseId: "c2", toolName: "edit", content: "no such file", isError: true }]);
    expect(parseStdoutLine(line({ type: "result", subtype: "error", is_error: true, result: "boom" }), ts)[0]).toMatchObject({ kind: "result", isError: true, errors: ["boom"] });
    expect(parseStdoutLine(line({ type: "error", message: "stream cut" }), ts)).toEqual([{ kind: "stderr", ts, text: "Cursor error: stream cut" }]);
    expect(parseStdoutLine("Cursor Agent v1", ts)).toEqual([{ kind: "stdout", ts, text: "Cursor Agent v1" }]);
  });

  it("never throws on hostile shapes", () => {
    for (const bad of ["null", "[]", '{"type":{}}', '{"type":"tool_call","subtype":"completed","tool_call":[]}', '{"type":"assistant","message":{"content":5}}', '{"type":"result","usage":"x"}']) {
      expect(() => parseStdoutLine(bad, ts)).not.toThrow();
    }
  });
});

describe("cursor buildConfig", () => {
  it("keeps only filled fields, a valid mode, and parses args, env and numbers", () => {
    const config = buildConfig({ model: "auto", mode: "plan", args: "--trust\n--foo", envVars: "CURSOR_API_KEY=key", timeoutSec: 300, graceSec: "5", command: " " });
    expect(config).toEqual({ model: "auto", mode: "plan", extraArgs: ["--trust", "--foo"], env: { CURSOR_API_KEY: "key" }, timeoutSec: 300, graceSec: 5 });
    expect(cursorAdapter.validateConfig(config)).toEqual([]);
    expect(buildConfig({ mode: "agent" })).toEqual({});
  });
});

describe("cursor formatStdoutEvent", () => {
  it("prints readable lines, with details only when debugging", () => {
    expect(formatStdoutEvent(line({ type: "system", subtype: "init", session_id: SID, model: "Auto" }), false)).toBe(`[cursor] session ${SID} · model Auto`);
    expect(formatStdoutEvent(line(started), false)).toBe('[tool] shell {"command":"npm test"}');
    expect(formatStdoutEvent(line(completed), false)).toBe("[tool done] shell");
    expect(formatStdoutEvent(line(completed), true)).toBe("[tool done] shell: ok");
    expect(formatStdoutEvent(line(result), false)).toBe("[result] success (10 in, 5 out, 3 cached, $0.0200)");
    expect(formatStdoutEvent(line({ type: "user", message: { content: [{ type: "text", text: "hi" }] } }), false)).toBeNull();
    expect(formatStdoutEvent(line({ type: "tool_call", subtype: "unknown" }), false)).toBeNull();
  });
});
