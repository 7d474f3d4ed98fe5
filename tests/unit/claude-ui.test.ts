/** `claude_local` ui and cli parts: stream-json lines → transcript entries and terminal text, form values → config. */
import { describe, expect, it } from "vitest";
import { claudeLocalAdapter } from "../../adapters/claude-local/index.js";
import { formatStdoutEvent } from "../../adapters/claude-local/cli/format-event.js";
import { buildConfig } from "../../adapters/claude-local/ui/build-config.js";
import { parseStdoutLine } from "../../adapters/claude-local/ui/parse-stdout.js";

const ts = "2026-01-01T00:00:00.000Z";
const line = (e: unknown) => JSON.stringify(e);

// Shapes as Claude Code prints them with `--output-format stream-json --verbose`.
const init = { type: "system", subtype: "init", cwd: "/srv/repo", session_id: "5f0c-sess", tools: ["Bash", "Read"], mcp_servers: [], model: "claude-sonnet-4-5", permissionMode: "default", apiKeySource: "none" };
const assistant = {
  type: "assistant",
  message: {
    id: "msg_01",
    type: "message",
    role: "assistant",
    model: "claude-sonnet-4-5",
    content: [
      { type: "thinking", thinking: "The issue needs a test first.", signature: "sig" },
      { type: "text", text: "I'll run the tests." },
      { type: "tool_use", id: "toolu_01", name: "Bash", input: { command: "npm test", description: "Run tests" } },
    ],
    stop_reason: "tool_use",
    usage: { input_tokens: 10, output_tokens: 20 },
  },
  session_id: "5f0c-sess",
};
const toolResult = {
  type: "user",
  message: { role: "user", content: [{ tool_use_id: "toolu_01", type: "tool_result", content: [{ type: "text", text: "3 passing" }], is_error: false }] },
  session_id: "5f0c-sess",
};
const result = { type: "result", subtype: "success", is_error: false, duration_ms: 5000, num_turns: 3, result: "All tests pass.", session_id: "5f0c-sess", total_cost_usd: 0.0123, usage: { input_tokens: 1200, output_tokens: 340, cache_read_input_tokens: 5000 } };

describe("claude parseStdoutLine", () => {
  it("maps init, assistant blocks, tool results and the result", () => {
    expect(parseStdoutLine(line(init), ts)).toEqual([{ kind: "init", ts, model: "claude-sonnet-4-5", sessionId: "5f0c-sess" }]);
    expect(parseStdoutLine(line(assistant), ts)).toEqual([
      { kind: "thinking", ts, text: "The issue needs a test first." },
      { kind: "assistant", ts, text: "I'll run the tests." },
      { kind: "tool_call", ts, name: "Bash", input: { command: "npm test", description: "Run tests" }, toolUseId: "toolu_01" },
    ]);
    expect(parseStdoutLine(line(toolResult), ts)).toEqual([{ kind: "tool_result", ts, toolUseId: "toolu_01", content: "3 passing", isError: false }]);
    expect(parseStdoutLine(line(result), ts)).toEqual([
      { kind: "result", ts, text: "All tests pass.", inputTokens: 1200, outputTokens: 340, cachedTokens: 5000, costUsd: 0.0123, subtype: "success", isError: false, errors: [] },
    ]);
  });

  it("reads a string tool result, an error result and a usage-limit result", () => {
    const failedTool = { type: "user", message: { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_02", content: "command not found", is_error: true }] } };
    expect(parseStdoutLine(line(failedTool), ts)).toEqual([{ kind: "tool_result", ts, toolUseId: "toolu_02", content: "command not found", isError: true }]);
    const limit = { type: "result", subtype: "success", is_error: true, result: "Claude AI usage limit reached|1760000400", usage: { input_tokens: 0, output_tokens: 0 } };
    expect(parseStdoutLine(line(limit), ts)[0]).toMatchObject({ kind: "result", isError: true, errors: ["Claude AI usage limit reached|1760000400"], costUsd: 0 });
  });

  it("shows non-JSON lines as stdout, skips blank lines and events with nothing to show", () => {
    expect(parseStdoutLine("npm warn deprecated", ts)).toEqual([{ kind: "stdout", ts, text: "npm warn deprecated" }]);
    expect(parseStdoutLine("   ", ts)).toEqual([]);
    expect(parseStdoutLine(line({ type: "stream_event", event: { type: "content_block_delta" } }), ts)).toEqual([]);
    expect(parseStdoutLine(line({ type: "system", subtype: "compact_boundary" }), ts)).toEqual([{ kind: "system", ts, text: "system: compact_boundary" }]);
  });

  it("never throws on garbage or wrongly typed fields", () => {
    const junk = [
      "{not json",
      "[1,2,3]",
      "null",
      line({ type: "assistant" }),
      line({ type: "assistant", message: { content: "plain string" } }),
      line({ type: "assistant", message: { content: [null, 7, { type: "tool_use" }, { type: "text", text: 5 }] } }),
      line({ type: "user", message: { content: [{ type: "tool_result", content: { weird: true } }] } }),
      line({ type: "result", usage: "lots", total_cost_usd: "free", errors: [1, "boom"] }),
      line({ type: 42 }),
      undefined as unknown as string,
    ];
    for (const l of junk) expect(() => parseStdoutLine(l, ts)).not.toThrow();
    expect(parseStdoutLine(line({ type: "assistant", message: { content: "plain string" } }), ts)).toEqual([{ kind: "assistant", ts, text: "plain string" }]);
    expect(parseStdoutLine(line({ type: "result", usage: "lots", total_cost_usd: "free", errors: [1, "boom"] }), ts)[0]).toMatchObject({ inputTokens: 0, costUsd: 0, errors: ["boom"] });
  });
});

describe("claude formatStdoutEvent", () => {
  it("prints readable lines, and raw events only in debug mode", () => {
    expect(formatStdoutEvent(line(init), false)).toBe("session 5f0c-sess · model claude-sonnet-4-5");
    expect(formatStdoutEvent(line(assistant), false)).toBe('thinking: The issue needs a test first.\nI\'ll run the tests.\ntool Bash: {"command":"npm test","description":"Run tests"}');
    expect(formatStdoutEvent(line(result), false)).toBe("done (success) · tokens in 1200, out 340, cached 5000 · $0.0123\nAll tests pass.");
    expect(formatStdoutEvent(line({ type: "stream_event" }), false)).toBeNull();
    expect(formatStdoutEvent(line({ type: "stream_event" }), true)).toBe('raw: {"type":"stream_event"}');
    expect(formatStdoutEvent(line(init), true)).toContain('raw: {"type":"system"');
    expect(formatStdoutEvent("plain text", true)).toBe("plain text");
    expect(formatStdoutEvent("", false)).toBeNull();
    expect(() => formatStdoutEvent("{broken", true)).not.toThrow();
  });
});

describe("claude buildConfig", () => {
  it("turns the form into a valid config with extraArgs as an array and env from lines", () => {
    const config = buildConfig({ model: "sonnet", cwd: "/srv/repo", extraArgs: "--max-turns, 3", envVars: "ANTHROPIC_API_KEY=sk-test\n", timeoutSec: "600", dangerouslySkipPermissions: true, command: "" });
    expect(config).toEqual({ model: "sonnet", cwd: "/srv/repo", extraArgs: ["--max-turns", "3"], env: { ANTHROPIC_API_KEY: "sk-test" }, timeoutSec: 600, dangerouslySkipPermissions: true });
    expect(claudeLocalAdapter.validateConfig(config)).toEqual([]);
    expect(buildConfig({})).toEqual({});
  });
});
