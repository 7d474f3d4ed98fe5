/** `opencode_local` ui and cli parts: transcript entries, form → adapterConfig, terminal lines. */
import { describe, expect, it } from "vitest";
import { formatStdoutEvent } from "../../adapters/opencode-local/cli/format-event.js";
import { buildConfig } from "../../adapters/opencode-local/ui/build-config.js";
import { parseStdoutLine } from "../../adapters/opencode-local/ui/parse-stdout.js";
import { opencodeLocalAdapter } from "../../adapters/opencode-local/index.js";

const ts = "2026-01-01T00:00:00.000Z";
const line = (e: unknown) => JSON.stringify(e);
const S = "ses_abc";

describe("opencode parseStdoutLine", () => {
  it("turns text, reasoning and tool events into transcript entries", () => {
    expect(parseStdoutLine(line({ type: "text", sessionID: S, part: { text: "hello" } }), ts)).toEqual([{ kind: "assistant", ts, text: "hello" }]);
    expect(parseStdoutLine(line({ type: "reasoning", sessionID: S, part: { text: "hmm" } }), ts)).toEqual([{ kind: "thinking", ts, text: "hmm" }]);
    expect(parseStdoutLine(line({ type: "tool_use", sessionID: S, part: { tool: "bash", callID: "c1", state: { status: "completed", input: { command: "ls" }, output: "a.txt" } } }), ts)).toEqual([
      { kind: "tool_call", ts, name: "bash", input: { command: "ls" }, toolUseId: "c1" },
      { kind: "tool_result", ts, toolUseId: "c1", toolName: "bash", content: "a.txt", isError: false },
    ]);
    expect(parseStdoutLine(line({ type: "tool_use", sessionID: S, part: { tool: "read", callID: "c2", state: { status: "error", input: {}, error: "ENOENT" } } }), ts)[1]).toEqual({
      kind: "tool_result", ts, toolUseId: "c2", toolName: "read", content: "ENOENT", isError: true,
    });
  });

  it("summarises steps, shows errors, hides step starts, and keeps other lines as stdout", () => {
    expect(parseStdoutLine(line({ type: "step_finish", sessionID: S, part: { reason: "stop", cost: 0.0123, tokens: { input: 10, output: 5, reasoning: 2, cache: { read: 100 } } } }), ts)).toEqual([
      { kind: "system", ts, text: "step finished (stop): 10 in, 7 out, 100 cached, $0.0123" },
    ]);
    expect(parseStdoutLine(line({ type: "error", sessionID: S, error: { name: "APIError", data: { message: "overloaded" } } }), ts)).toEqual([{ kind: "stderr", ts, text: "OpenCode error: overloaded" }]);
    expect(parseStdoutLine(line({ type: "step_start", sessionID: S, part: {} }), ts)).toEqual([]);
    expect(parseStdoutLine("plain log line", ts)).toEqual([{ kind: "stdout", ts, text: "plain log line" }]);
    expect(parseStdoutLine("{broken json", ts)).toEqual([{ kind: "stdout", ts, text: "{broken json" }]);
    expect(parseStdoutLine("   ", ts)).toEqual([]);
  });

  it("never throws on hostile shapes", () => {
    for (const bad of ["null", "[]", '{"type":5}', '{"type":"tool_use","part":null}', '{"type":"text","part":{"text":{}}}', '{"type":"step_finish","part":{"tokens":"x"}}']) {
      expect(() => parseStdoutLine(bad, ts)).not.toThrow();
    }
  });
});

describe("opencode buildConfig", () => {
  it("keeps only filled fields and parses args, env lines and numbers", () => {
    const config = buildConfig({
      model: " anthropic/claude-sonnet-4-5 ",
      variant: "high",
      cwd: "",
      extraArgs: "--agent, build",
      envVars: "ANTHROPIC_API_KEY=sk-a=b\n# comment\n\nBAD",
      timeoutSec: "600",
      graceSec: "",
      dangerouslySkipPermissions: false,
    });
    expect(config).toEqual({ model: "anthropic/claude-sonnet-4-5", variant: "high", extraArgs: ["--agent", "build"], env: { ANTHROPIC_API_KEY: "sk-a=b" }, timeoutSec: 600, dangerouslySkipPermissions: false });
    expect(opencodeLocalAdapter.validateConfig(config)).toEqual([]);
  });
});

describe("opencode formatStdoutEvent", () => {
  it("prints one readable line per event and nothing for noise unless debugging", () => {
    expect(formatStdoutEvent(line({ type: "text", part: { text: "done" } }), false)).toBe("done");
    expect(formatStdoutEvent(line({ type: "tool_use", part: { tool: "bash", callID: "c", state: { status: "completed", input: { command: "ls" }, output: "x" } } }), false)).toBe(
      '[tool] bash {"command":"ls"}\n[tool done] bash: x',
    );
    expect(formatStdoutEvent(line({ type: "error", error: { data: { message: "boom" } } }), false)).toBe("[error] OpenCode error: boom");
    expect(formatStdoutEvent(line({ type: "step_start", part: {} }), false)).toBeNull();
    expect(formatStdoutEvent(line({ type: "step_start", part: {} }), true)).toMatch(/^\[raw\] \{"type":"step_start"/);
    expect(formatStdoutEvent(line({ type: "mystery" }), false)).toBeNull();
    expect(formatStdoutEvent(line({ type: "mystery" }), true)).toBe("[opencode] mystery event");
  });
});
