/** `codex_local` ui and cli parts: `codex exec --json` lines → transcript entries and terminal text, form values → config. */
import { describe, expect, it } from "vitest";
import { codexLocalAdapter } from "../../adapters/codex-local/index.js";
import { formatStdoutEvent } from "../../adapters/codex-local/cli/format-event.js";
import { buildConfig } from "../../adapters/codex-local/ui/build-config.js";
import { parseStdoutLine } from "../../adapters/codex-local/ui/parse-stdout.js";

const ts = "2026-01-01T00:00:00.000Z";
const line = (e: unknown) => JSON.stringify(e);

describe("codex parseStdoutLine", () => {
  it("maps thread, items and turns as codex exec --json prints them", () => {
    expect(parseStdoutLine(line({ type: "thread.started", thread_id: "0199a213-81c0-7800-8aa1-bbab2a035a53" }), ts)).toEqual([
      { kind: "init", ts, model: "", sessionId: "0199a213-81c0-7800-8aa1-bbab2a035a53" },
    ]);
    expect(parseStdoutLine(line({ type: "turn.started" }), ts)).toEqual([]);
    expect(parseStdoutLine(line({ type: "item.completed", item: { id: "item_0", type: "reasoning", text: "**Scanning the repo**" } }), ts)).toEqual([{ kind: "thinking", ts, text: "**Scanning the repo**" }]);
    expect(parseStdoutLine(line({ type: "item.started", item: { id: "item_1", type: "command_execution", command: "bash -lc ls", aggregated_output: "", exit_code: null, status: "in_progress" } }), ts)).toEqual([
      { kind: "tool_call", ts, name: "command_execution", input: { command: "bash -lc ls" }, toolUseId: "item_1" },
    ]);
    expect(parseStdoutLine(line({ type: "item.completed", item: { id: "item_1", type: "command_execution", command: "bash -lc ls", aggregated_output: "README.md\n", exit_code: 0, status: "completed" } }), ts)).toEqual([
      { kind: "tool_result", ts, toolUseId: "item_1", toolName: "command_execution", content: "README.md\nexit code 0", isError: false },
    ]);
    expect(parseStdoutLine(line({ type: "item.completed", item: { id: "item_2", type: "agent_message", text: "Done: README updated." } }), ts)).toEqual([{ kind: "assistant", ts, text: "Done: README updated." }]);
    expect(parseStdoutLine(line({ type: "turn.completed", usage: { input_tokens: 24763, cached_input_tokens: 24448, output_tokens: 122 } }), ts)).toEqual([
      { kind: "result", ts, text: "", inputTokens: 315, outputTokens: 122, cachedTokens: 24448, costUsd: 0, subtype: "turn.completed", isError: false, errors: [] },
    ]);
  });

  it("maps failures, tool calls, file changes, todo lists and the older item_type field", () => {
    expect(parseStdoutLine(line({ type: "turn.failed", error: { message: "stream disconnected" } }), ts)[0]).toMatchObject({ kind: "result", isError: true, errors: ["stream disconnected"], text: "stream disconnected" });
    expect(parseStdoutLine(line({ type: "error", message: "Reconnecting... 1/5" }), ts)).toEqual([{ kind: "stderr", ts, text: "Reconnecting... 1/5" }]);
    expect(parseStdoutLine(line({ type: "item.completed", item: { id: "i3", type: "command_execution", command: "false", aggregated_output: "", exit_code: 1, status: "failed" } }), ts)[0]).toMatchObject({ isError: true, content: "exit code 1" });
    expect(parseStdoutLine(line({ type: "item.started", item: { id: "i4", type: "mcp_tool_call", server: "github", tool: "search_issues", arguments: { q: "bug" }, status: "in_progress" } }), ts)).toEqual([
      { kind: "tool_call", ts, name: "github.search_issues", input: { q: "bug" }, toolUseId: "i4" },
    ]);
    expect(parseStdoutLine(line({ type: "item.completed", item: { id: "i4", type: "mcp_tool_call", server: "github", tool: "search_issues", status: "failed", error: { message: "rate limited" } } }), ts)[0]).toMatchObject({ kind: "tool_result", toolName: "github.search_issues", content: "rate limited", isError: true });
    expect(parseStdoutLine(line({ type: "item.completed", item: { id: "i5", type: "file_change", changes: [{ path: "src/a.ts", kind: "update" }, { path: "b.md", kind: "add" }], status: "completed" } }), ts)).toEqual([
      { kind: "system", ts, text: "file changes: update src/a.ts, add b.md" },
    ]);
    expect(parseStdoutLine(line({ type: "item.completed", item: { id: "i6", type: "todo_list", items: [{ text: "write test", completed: true }, { text: "fix", completed: false }] } }), ts)).toEqual([
      { kind: "system", ts, text: "todo: [x] write test; [ ] fix" },
    ]);
    expect(parseStdoutLine(line({ type: "item.completed", item: { id: "i7", item_type: "assistant_message", text: "old shape" } }), ts)).toEqual([{ kind: "assistant", ts, text: "old shape" }]);
    expect(parseStdoutLine(line({ type: "item.completed", item: { id: "i8", type: "web_search", query: "zod v4 enum" } }), ts)).toEqual([
      { kind: "tool_call", ts, name: "web_search", input: { query: "zod v4 enum" }, toolUseId: "i8" },
    ]);
  });

  it("shows non-JSON lines as stdout and never throws on garbage", () => {
    expect(parseStdoutLine("WARN failed to load config", ts)).toEqual([{ kind: "stdout", ts, text: "WARN failed to load config" }]);
    const junk = [
      "{broken",
      "[]",
      line({ type: "item.completed" }),
      line({ type: "item.completed", item: [1] }),
      line({ type: "item.completed", item: { type: "command_execution", exit_code: "0", aggregated_output: 5 } }),
      line({ type: "item.completed", item: { type: "file_change", changes: "all" } }),
      line({ type: "item.completed", item: { type: "todo_list", items: [null, 3] } }),
      line({ type: "item.completed", item: { type: "mcp_tool_call", result: { content: [{ type: "text", text: "ok" }] } } }),
      line({ type: "turn.completed", usage: { input_tokens: -1, output_tokens: "9" } }),
      line({ type: "turn.failed" }),
      line({ type: "thread.started", thread_id: 7 }),
      undefined as unknown as string,
    ];
    for (const l of junk) expect(() => parseStdoutLine(l, ts)).not.toThrow();
    expect(parseStdoutLine(line({ type: "turn.completed", usage: { input_tokens: -1, output_tokens: "9" } }), ts)[0]).toMatchObject({ inputTokens: 0, outputTokens: 0 });
    expect(parseStdoutLine(line({ type: "thread.started", thread_id: 7 }), ts)).toEqual([]);
  });
});

describe("codex formatStdoutEvent", () => {
  it("prints readable lines, and raw events only in debug mode", () => {
    expect(formatStdoutEvent(line({ type: "thread.started", thread_id: "t-1" }), false)).toBe("session t-1");
    expect(formatStdoutEvent(line({ type: "item.completed", item: { id: "x", type: "agent_message", text: "Hi" } }), false)).toBe("Hi");
    expect(formatStdoutEvent(line({ type: "turn.completed", usage: { input_tokens: 5, cached_input_tokens: 1, output_tokens: 2 } }), false)).toBe("done (turn.completed) · tokens in 4, out 2, cached 1");
    expect(formatStdoutEvent(line({ type: "turn.started" }), false)).toBeNull();
    expect(formatStdoutEvent(line({ type: "turn.started" }), true)).toBe('raw: {"type":"turn.started"}');
    expect(formatStdoutEvent("not json", false)).toBe("not json");
  });
});

describe("codex buildConfig", () => {
  it("turns the form into a valid config", () => {
    const config = buildConfig({ model: "gpt-5-codex", extraArgs: '-c\nmodel_reasoning_effort="high"', envVars: "OPENAI_API_KEY=sk-x", bypassApprovalsAndSandbox: false, graceSec: "10" });
    expect(config).toEqual({ model: "gpt-5-codex", extraArgs: ["-c", 'model_reasoning_effort="high"'], env: { OPENAI_API_KEY: "sk-x" }, bypassApprovalsAndSandbox: false, graceSec: 10 });
    expect(codexLocalAdapter.validateConfig(config)).toEqual([]);
  });
});
