/** The ui parts (transcript parser, form → config) and the cli formatter of `gemini_local`. */
import { describe, expect, it } from "vitest";
import { formatStdoutEvent } from "../../adapters/gemini-local/cli/format-event.js";
import { geminiLocalAdapter } from "../../adapters/gemini-local/index.js";
import { buildConfig } from "../../adapters/gemini-local/ui/build-config.js";
import { parseStdoutLine } from "../../adapters/gemini-local/ui/parse-stdout.js";

const ts = "2025-10-10T12:00:00.000Z";
const line = (event: Record<string, unknown>) => JSON.stringify({ timestamp: ts, ...event });

describe("parseStdoutLine", () => {
  it("turns each stream-json event into the matching transcript entry", () => {
    expect(parseStdoutLine(line({ type: "init", session_id: "s-1", model: "gemini-2.5-pro" }), ts)).toEqual([{ kind: "init", ts, model: "gemini-2.5-pro", sessionId: "s-1" }]);
    expect(parseStdoutLine(line({ type: "message", role: "user", content: "do it" }), ts)).toEqual([{ kind: "user", ts, text: "do it" }]);
    expect(parseStdoutLine(line({ type: "message", role: "assistant", content: "Hel", delta: true }), ts)).toEqual([{ kind: "assistant", ts, text: "Hel", delta: true }]);
    expect(parseStdoutLine(line({ type: "message", role: "assistant", content: "Whole" }), ts)).toEqual([{ kind: "assistant", ts, text: "Whole" }]);
    expect(parseStdoutLine(line({ type: "tool_use", tool_name: "read_file", tool_id: "r-1", parameters: { path: "a" } }), ts)).toEqual([
      { kind: "tool_call", ts, name: "read_file", input: { path: "a" }, toolUseId: "r-1" },
    ]);
    expect(parseStdoutLine(line({ type: "tool_result", tool_id: "r-1", status: "error", error: { type: "FILE_NOT_FOUND", message: "File not found" } }), ts)).toEqual([
      { kind: "tool_result", ts, toolUseId: "r-1", content: "File not found", isError: true },
    ]);
    expect(parseStdoutLine(line({ type: "error", severity: "warning", message: "Loop detected" }), ts)).toEqual([{ kind: "system", ts, text: "warning: Loop detected" }]);
    expect(parseStdoutLine(line({ type: "error", severity: "error", message: "boom" }), ts)).toEqual([{ kind: "stderr", ts, text: "error: boom" }]);
  });

  it("renders the result with its tokens, and an error result with its message", () => {
    expect(parseStdoutLine(line({ type: "result", status: "success", stats: { input_tokens: 50, output_tokens: 30, cached: 20, input: 30 } }), ts)).toEqual([
      { kind: "result", ts, text: "", inputTokens: 30, outputTokens: 30, cachedTokens: 20, costUsd: 0, subtype: "success", isError: false, errors: [] },
    ]);
    expect(parseStdoutLine(line({ type: "result", status: "error", error: { type: "TerminalQuotaError", message: "quota gone" } }), ts)).toEqual([
      { kind: "result", ts, text: "", inputTokens: 0, outputTokens: 0, cachedTokens: 0, costUsd: 0, subtype: "TerminalQuotaError", isError: true, errors: ["quota gone"] },
    ]);
  });

  it("shows non-JSON lines as stdout and drops blank lines and unknown events", () => {
    expect(parseStdoutLine("Loaded cached credentials.", ts)).toEqual([{ kind: "stdout", ts, text: "Loaded cached credentials." }]);
    expect(parseStdoutLine("   ", ts)).toEqual([]);
    expect(parseStdoutLine(line({ type: "future_event", x: 1 }), ts)).toEqual([]);
    expect(parseStdoutLine('{"type":"message","role":"assistant"', ts)).toEqual([{ kind: "stdout", ts, text: '{"type":"message","role":"assistant"' }]);
  });
});

describe("buildConfig", () => {
  it("keeps only what the user filled, in the shapes the adapter requires", () => {
    const config = buildConfig({
      command: " /usr/local/bin/gemini ",
      cwd: "/srv/repo",
      model: "flash",
      promptTemplate: "You are {{agent.name}}.\nWork.",
      sandbox: "true",
      extraArgs: "--include-directories=/srv/docs\n--debug",
      envVars: "GEMINI_API_KEY=abc\n# comment\nNOT VALID\n",
      timeoutSec: "600",
      graceSec: 5,
    });
    expect(config).toEqual({
      command: "/usr/local/bin/gemini",
      cwd: "/srv/repo",
      model: "flash",
      promptTemplate: "You are {{agent.name}}.\nWork.",
      sandbox: true,
      extraArgs: ["--include-directories=/srv/docs", "--debug"],
      env: { GEMINI_API_KEY: "abc" },
      timeoutSec: 600,
      graceSec: 5,
    });
    expect(geminiLocalAdapter.validateConfig(config)).toEqual([]);
  });

  it("gives an empty config for an empty form and reads the sandbox checkbox as a boolean", () => {
    expect(buildConfig({})).toEqual({});
    expect(buildConfig({ command: "  ", extraArgs: "", sandbox: false })).toEqual({ sandbox: false });
    expect(buildConfig({ args: "--a, --b", sandbox: "maybe" })).toEqual({ extraArgs: ["--a", "--b"] });
  });
});

describe("formatStdoutEvent", () => {
  it("prints what a person follows, and raw events only in debug mode", () => {
    expect(formatStdoutEvent(line({ type: "init", session_id: "s-1", model: "gemini-2.5-pro" }), false)).toBe("session s-1 · model gemini-2.5-pro");
    expect(formatStdoutEvent(line({ type: "message", role: "assistant", content: "All done." }), false)).toBe("All done.");
    expect(formatStdoutEvent(line({ type: "tool_use", tool_name: "run_shell_command", tool_id: "t", parameters: { command: "ls" } }), false)).toBe('tool run_shell_command: {"command":"ls"}');
    expect(formatStdoutEvent(line({ type: "result", status: "success", stats: { input_tokens: 50, output_tokens: 30, cached: 20 } }), false)).toBe("done (success) · tokens in 30, out 30, cached 20");
    expect(formatStdoutEvent(line({ type: "result", status: "error", error: { type: "Error", message: "boom" } }), false)).toBe("failed (Error) · tokens in 0, out 0, cached 0\nerror: boom");
    expect(formatStdoutEvent("", false)).toBeNull();
    expect(formatStdoutEvent(line({ type: "future_event" }), false)).toBeNull();
  });

  it("adds the raw line in debug mode", () => {
    const raw = line({ type: "future_event" });
    expect(formatStdoutEvent(raw, true)).toBe(`[gemini] ${raw}`);
    const msg = line({ type: "message", role: "assistant", content: "hi" });
    expect(formatStdoutEvent(msg, true)).toBe(`[gemini] ${msg}\nhi`);
  });
});
