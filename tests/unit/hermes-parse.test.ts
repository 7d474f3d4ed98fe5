/** Reading Hermes' plain-text output: session id, tokens, cost, the reply and the error line. */
import { describe, expect, it } from "vitest";
import { costOfLine, sessionIdOfLine, tokensOfLine } from "../../adapters/hermes-local/output.js";
import { parseHermesOutput } from "../../adapters/hermes-local/server/parse.js";

describe("parseHermesOutput", () => {
  it("reads quiet-mode output: reply on stdout, session_id on stderr, token and cost lines stripped from the reply", () => {
    const stdout = "Fixed the bug.\n\nSee PR 12.\n\ntokens: 1200 input, 340 output\ncost: $0.0345\n";
    const stderr = "\nsession_id: 20260322_141501_ab12cd\n";
    expect(parseHermesOutput(stdout, stderr)).toEqual({
      sessionId: "20260322_141501_ab12cd",
      usage: { inputTokens: 1200, outputTokens: 340 },
      costUsd: 0.0345,
      response: "Fixed the bug.\n\nSee PR 12.",
      errorLine: null,
    });
  });

  it("reads session_id on stdout (older releases) and the legacy saved line", () => {
    expect(parseHermesOutput("Hi\n\nsession_id: 20260101_000000_aaaaaa\n", "").sessionId).toBe("20260101_000000_aaaaaa");
    expect(parseHermesOutput("Hi\nSession saved: 20260101_000000_bbbbbb\n", "")).toMatchObject({ sessionId: "20260101_000000_bbbbbb", response: "Hi" });
    // The quiet-mode line wins over a legacy one.
    expect(parseHermesOutput("Session ID: legacy_1\n", "session_id: quiet_1\n").sessionId).toBe("quiet_1");
  });

  it("does not take prose for a session id, a token count or a cost", () => {
    const s = parseHermesOutput("Use a session ID from a previous CLI run.\nThe fix will cost $5 in compute and uses 10 tokens in 20 outputs.\n", "Session not found: from\n");
    expect(s).toMatchObject({ sessionId: null, usage: null, costUsd: null });
    expect(s.response).toContain("The fix will cost $5");
  });

  it("drops tool progress lines and keeps the 💬 reply text", () => {
    const stdout = "┊ 💻 terminal  ls -la  0.3s\n[tool] read_file README.md\n┊ 💬 All good here.\n[done] ┊ 2 tools\n";
    expect(parseHermesOutput(stdout, "").response).toBe("All good here.");
  });

  it("keeps the last error-looking stderr line, skipping log noise", () => {
    const stderr = "2026-01-01 INFO: MCP server started\nTraceback (most recent call last):\nRuntimeError: boom\nWARNING: failed cache is fine\n";
    expect(parseHermesOutput("", stderr).errorLine).toBe("RuntimeError: boom");
  });

  it("caps the reply and tolerates empty output", () => {
    expect(parseHermesOutput("z".repeat(5000), "").response).toHaveLength(4000);
    expect(parseHermesOutput("", "")).toEqual({ sessionId: null, usage: null, costUsd: null, response: null, errorLine: null });
  });
});

describe("Hermes output lines", () => {
  it("matches the documented patterns", () => {
    expect(sessionIdOfLine("session_id: 20260322_141501_ab12cd")).toBe("20260322_141501_ab12cd");
    expect(sessionIdOfLine("  session_id: x")).toBe("x");
    expect(sessionIdOfLine(`session_id: ${"a".repeat(300)}`)).toBeNull();
    expect(tokensOfLine("Tokens: 10 in / 4 out")).toEqual({ inputTokens: 10, outputTokens: 4 });
    expect(tokensOfLine("📊 tokens: 5 input, 6 output")).toEqual({ inputTokens: 5, outputTokens: 6 });
    expect(costOfLine("Total cost: $1.25")).toBe(1.25);
    expect(costOfLine("spent 0.5")).toBe(0.5);
    expect(costOfLine("cost: $.")).toBeNull();
  });
});
