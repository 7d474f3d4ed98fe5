/** pi_local's run-viewer transcript, terminal printer and create-agent form builder. */
import { describe, expect, it } from "vitest";
import { formatStdoutEvent } from "../../adapters/pi-local/cli/format-event.js";
import { buildConfig } from "../../adapters/pi-local/ui/build-config.js";
import { parseStdoutLine } from "../../adapters/pi-local/ui/parse-stdout.js";

const ts = "2026-01-01T00:00:00.000Z";
const j = (e: unknown) => JSON.stringify(e);
const usage = (input: number, output: number, cacheRead: number, total: number) => ({ input, output, cacheRead, cacheWrite: 0, cost: { total } });
const toolTurn = {
  role: "assistant",
  content: [
    { type: "thinking", thinking: "Look first." },
    { type: "toolCall", id: "t1", name: "bash", arguments: { command: "ls" } },
  ],
  usage: usage(100, 10, 50, 0.01),
  stopReason: "toolUse",
};
const answer = { role: "assistant", content: [{ type: "text", text: "Finished." }], usage: usage(20, 30, 0, 0.02), stopReason: "stop" };

describe("pi_local parseStdoutLine", () => {
  it("turns the session header into init and complete messages into entries", () => {
    expect(parseStdoutLine(j({ type: "session", id: "s1", version: 3 }), ts)).toEqual([{ kind: "init", ts, model: "", sessionId: "s1" }]);
    expect(parseStdoutLine(j({ type: "message_end", message: { role: "user", content: [{ type: "text", text: "hello" }] } }), ts)).toEqual([{ kind: "user", ts, text: "hello" }]);
    expect(parseStdoutLine(j({ type: "message_end", message: toolTurn }), ts)).toEqual([
      { kind: "thinking", ts, text: "Look first." },
      { kind: "tool_call", ts, name: "bash", input: { command: "ls" }, toolUseId: "t1" },
    ]);
    expect(parseStdoutLine(j({ type: "tool_execution_end", toolCallId: "t1", toolName: "bash", result: { content: [{ type: "text", text: "README.md" }] }, isError: false }), ts)).toEqual([
      { kind: "tool_result", ts, toolUseId: "t1", toolName: "bash", content: "README.md", isError: false },
    ]);
  });

  it("shows deltas once: only message_end carries the text", () => {
    expect(parseStdoutLine(j({ type: "message_update", message: answer, assistantMessageEvent: { type: "text_delta", delta: "Fin" } }), ts)).toEqual([]);
    expect(parseStdoutLine(j({ type: "message_end", message: answer }), ts)).toEqual([{ kind: "assistant", ts, text: "Finished." }]);
  });

  it("summarises agent_end as the result and shows a provider error", () => {
    const [result] = parseStdoutLine(j({ type: "agent_end", messages: [{ role: "user", content: "q" }, toolTurn, answer] }), ts);
    expect(result).toMatchObject({ kind: "result", text: "Finished.", inputTokens: 120, outputTokens: 40, cachedTokens: 50, subtype: "stop", isError: false, errors: [] });
    expect((result as { costUsd: number }).costUsd).toBeCloseTo(0.03, 10);
    const failed = { role: "assistant", content: [], stopReason: "error", errorMessage: "429 rate limited" };
    expect(parseStdoutLine(j({ type: "message_end", message: failed }), ts)).toEqual([{ kind: "stderr", ts, text: "429 rate limited" }]);
    expect(parseStdoutLine(j({ type: "agent_end", messages: [failed] }), ts)[0]).toMatchObject({ isError: true, errors: ["429 rate limited"] });
  });

  it("never throws: non-JSON is stdout, junk and blank lines are nothing", () => {
    expect(parseStdoutLine("Warning: something", ts)).toEqual([{ kind: "stdout", ts, text: "Warning: something" }]);
    expect(parseStdoutLine("   ", ts)).toEqual([]);
    expect(parseStdoutLine(j({ type: "message_end", message: "nope" }), ts)).toEqual([]);
    expect(parseStdoutLine(j({ type: "tool_execution_end", result: 5 }), ts)).toEqual([{ kind: "tool_result", ts, toolUseId: "", content: "", isError: false }]);
  });
});

describe("pi_local formatStdoutEvent", () => {
  it("prints the session, replies, tool calls and results, and totals", () => {
    expect(formatStdoutEvent(j({ type: "session", id: "s1" }), false)).toBe("session s1");
    expect(formatStdoutEvent(j({ type: "message_end", message: toolTurn }), false)).toBe('→ bash {"command":"ls"}');
    expect(formatStdoutEvent(j({ type: "message_end", message: answer }), false)).toBe("Finished.");
    expect(formatStdoutEvent(j({ type: "tool_execution_end", toolName: "bash", result: { content: [{ type: "text", text: "a\nb" }] }, isError: true }), false)).toBe("← bash (error): a");
    expect(formatStdoutEvent(j({ type: "agent_end", messages: [toolTurn, answer] }), false)).toBe("done: 120 input (50 cached) / 40 output tokens, $0.0300");
  });

  it("hides bookkeeping unless debug, and passes non-JSON through", () => {
    const update = j({ type: "message_update", assistantMessageEvent: { type: "text_delta", delta: "x" } });
    expect(formatStdoutEvent(update, false)).toBeNull();
    expect(formatStdoutEvent(update, true)).toBe(update);
    expect(formatStdoutEvent("plain", false)).toBe("plain");
    expect(formatStdoutEvent("", true)).toBeNull();
  });
});

describe("pi_local buildConfig", () => {
  it("keeps only filled fields, typed for the schema", () => {
    expect(
      buildConfig({ model: " anthropic/claude-sonnet-4-5 ", cwd: "/repo", args: "--tools, read,bash", envVars: "A=1\nBROKEN\nB = two=2\n", timeoutSec: "600", graceSec: "", thinking: "high", command: "" }),
    ).toEqual({ model: "anthropic/claude-sonnet-4-5", cwd: "/repo", thinking: "high", extraArgs: ["--tools", "read", "bash"], env: { A: "1", B: "two=2" }, timeoutSec: 600 });
    expect(buildConfig({})).toEqual({});
  });
});
