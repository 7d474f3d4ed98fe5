/** Claude Code stream-json parsing, usage-limit detection, argv and config validation of `claude_local`. */
import { describe, expect, it } from "vitest";
import { claudeLocalAdapter, claudeSessionCodec } from "../../adapters/claude-local/index.js";
import { claudeConfigSchema } from "../../adapters/claude-local/config.js";
import { buildClaudeArgs } from "../../adapters/claude-local/server/execute.js";
import { ClaudeStreamParser, isAuthFailure, isUnknownSessionError, parseClaudeStreamJson, truncateSummary } from "../../adapters/claude-local/server/parse.js";
import { isUsageLimit, usageLimitResetAt } from "../../adapters/claude-local/server/quota.js";

const lines = (...events: unknown[]) => events.map((e) => (typeof e === "string" ? e : JSON.stringify(e))).join("\n") + "\n";

describe("parseClaudeStreamJson", () => {
  it("takes session, model, usage, cost and result text from the events, skipping non-JSON lines", () => {
    const out = parseClaudeStreamJson(
      lines(
        "npm warn something",
        { type: "system", subtype: "init", session_id: "s-1", model: "claude-opus-4" },
        { type: "assistant", message: { content: [{ type: "text", text: "working" }, { type: "tool_use", name: "Bash" }] }, session_id: "s-1" },
        "[1, 2]",
        { type: "result", subtype: "success", is_error: false, result: "all done", session_id: "s-1", total_cost_usd: 0.25, usage: { input_tokens: 10, output_tokens: 20, cache_read_input_tokens: 30 } },
      ),
    );
    expect(out).toMatchObject({
      sessionId: "s-1",
      model: "claude-opus-4",
      usage: { inputTokens: 10, outputTokens: 20, cachedInputTokens: 30 },
      costUsd: 0.25,
      hasResult: true,
      isError: false,
      resultText: "all done",
      lastAssistantText: "working",
      skippedLines: 2,
    });
  });

  it("handles events split across chunks and a final line without newline", () => {
    const text = lines({ type: "system", subtype: "init", session_id: "s-2" }) + JSON.stringify({ type: "result", is_error: true, result: "boom", usage: { input_tokens: -5, output_tokens: "x" } });
    const parser = new ClaudeStreamParser();
    for (let i = 0; i < text.length; i += 7) parser.push(text.slice(i, i + 7));
    const out = parser.end();
    expect(out).toMatchObject({ sessionId: "s-2", isError: true, resultText: "boom", usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 }, costUsd: null });
  });

  it("reports nothing for output without events", () => {
    expect(parseClaudeStreamJson("")).toMatchObject({ sessionId: null, hasResult: false, usage: null, skippedLines: 0 });
    expect(parseClaudeStreamJson("garbage\n{not json\n")).toMatchObject({ hasResult: false, skippedLines: 2 });
  });

  it("recognises auth failures and unknown sessions", () => {
    expect(isAuthFailure("Invalid API key · Please run /login")).toBe(true);
    expect(isAuthFailure("Please run /login")).toBe(true);
    expect(isAuthFailure("all fine")).toBe(false);
    expect(isUnknownSessionError("No conversation found with session ID: abc")).toBe(true);
    expect(isUnknownSessionError("conversation found")).toBe(false);
  });

  it("truncates summaries to 2 KB", () => {
    expect(truncateSummary("x".repeat(5000))).toHaveLength(2048);
    expect(truncateSummary("  short  ")).toBe("short");
    expect(truncateSummary("   ")).toBeNull();
  });
});

describe("usage limits", () => {
  const now = new Date("2026-03-10T12:00:00Z");

  it("recognises Claude's usage-limit messages and nothing else", () => {
    expect(isUsageLimit("Claude AI usage limit reached|1760000400")).toBe(true);
    expect(isUsageLimit("Claude usage limit reached. Your limit will reset at 5pm (Europe/Warsaw).")).toBe(true);
    expect(isUsageLimit("5-hour limit reached ∙ resets 3pm")).toBe(true);
    expect(isUsageLimit("Session limit reached ∙ resets 10am")).toBe(true);
    expect(isUsageLimit("Weekly limit reached ∙ resets Oct 6, 1pm")).toBe(true);
    expect(isUsageLimit("You've hit your limit · resets 2am (Europe/Berlin)")).toBe(true);
    expect(isUsageLimit("Invalid API key · Please run /login")).toBe(false);
    expect(isUsageLimit("I raised the rate limit in config.ts")).toBe(false);
  });

  it("reads the reset time: epoch after a bar, ISO, or a clock time in a zone", () => {
    expect(usageLimitResetAt("Claude AI usage limit reached|1760000400", now)).toBe("2025-10-09T09:00:00.000Z");
    expect(usageLimitResetAt("limit reached. You will regain access at 2026-04-01T00:00:00Z", now)).toBe("2026-04-01T00:00:00.000Z");
    // 12:00 UTC is 13:00 in Warsaw (CET): 5pm there is 16:00 UTC the same day.
    expect(usageLimitResetAt("Claude usage limit reached. Your limit will reset at 5pm (Europe/Warsaw).", now)).toBe("2026-03-10T16:00:00.000Z");
    // 10am in UTC has passed at 12:00: the next 10am is tomorrow.
    expect(usageLimitResetAt("Session limit reached ∙ resets 10am (UTC)", now)).toBe("2026-03-11T10:00:00.000Z");
    expect(usageLimitResetAt("5-hour limit reached ∙ resets 3:30pm (UTC)", now)).toBe("2026-03-10T15:30:00.000Z");
    // New York is on EDT (UTC-4) after 8 March 2026.
    expect(usageLimitResetAt("Weekly limit reached ∙ resets Oct 6, 1pm (America/New_York)", now)).toBe("2026-10-06T17:00:00.000Z");
    expect(usageLimitResetAt("Weekly limit reached ∙ resets Jan 2, 9am (UTC)", now)).toBe("2027-01-02T09:00:00.000Z");
  });

  it("names no time when the message has none or an impossible one", () => {
    expect(usageLimitResetAt("Claude usage limit reached.", now)).toBeNull();
    expect(usageLimitResetAt("limit reached ∙ resets 13pm (UTC)", now)).toBeNull();
    expect(usageLimitResetAt("limit reached ∙ resets 3", now)).toBeNull();
    // An unknown zone falls back to the server's local time rather than failing.
    expect(usageLimitResetAt("limit reached ∙ resets 3pm (Not/AZone)", now)).toMatch(/^2026-03-1[01]T/);
  });
});

describe("claude_local config and argv", () => {
  it("builds the command line; the prompt is not in it (it goes on stdin)", () => {
    const config = claudeConfigSchema.parse({ model: "sonnet", extraArgs: ["--max-turns", "3"], dangerouslySkipPermissions: true });
    expect(config.command).toBe("claude");
    expect(buildClaudeArgs(config, "sess-1")).toEqual([
      "--print", "-", "--output-format", "stream-json", "--verbose", "--dangerously-skip-permissions", "--model", "sonnet", "--resume", "sess-1", "--max-turns", "3",
    ]);
    expect(buildClaudeArgs(claudeConfigSchema.parse({}), null)).toEqual(["--print", "-", "--output-format", "stream-json", "--verbose"]);
  });

  it("validates the config", () => {
    expect(claudeLocalAdapter.validateConfig({})).toEqual([]);
    expect(claudeLocalAdapter.validateConfig({ cwd: "relative/dir" }).map((p) => p.path)).toEqual(["cwd"]);
    expect(claudeLocalAdapter.validateConfig({ extraArgs: "--foo" }).map((p) => p.path)).toEqual(["extraArgs"]);
    expect(claudeLocalAdapter.validateConfig({ env: { A: { type: "secret_ref", secretId: "not-a-uuid" } } }).length).toBeGreaterThan(0);
    expect(claudeLocalAdapter.maxRunSeconds({ timeoutSec: 10, graceSec: 5 })).toBe(30);
    expect(claudeLocalAdapter.maxRunSeconds({})).toBe(24 * 3600);
  });

  it("round-trips sessions", () => {
    expect(claudeSessionCodec.deserialize({ sessionId: "x" })).toEqual({ sessionId: "x" });
    expect(claudeSessionCodec.deserialize({ session_id: "y" })).toEqual({ sessionId: "y" });
    expect(claudeSessionCodec.deserialize({})).toBeNull();
    expect(claudeSessionCodec.serialize({ sessionId: "x", junk: 1 })).toEqual({ sessionId: "x" });
    expect(claudeSessionCodec.getDisplayId?.({ sessionId: "x" })).toBe("x");
  });
});

describe("claude_local testEnvironment", () => {
  const test = (config: Record<string, unknown>) => claudeLocalAdapter.module.testEnvironment({ companyId: "c", adapterType: "claude_local", config });

  it("passes with a resolvable command and an existing cwd", async () => {
    const res = await test({ command: process.execPath, cwd: process.cwd() });
    expect(res.status).toBe("pass");
    expect(res.checks.map((c) => c.code)).toEqual(["claude_cwd_valid", "claude_command_resolvable"]);
  });

  it("fails with hints for a missing command or a bad cwd", async () => {
    const res = await test({ command: "definitely-not-claude-xyz", cwd: "/definitely/not/here" });
    expect(res.status).toBe("fail");
    const codes = res.checks.map((c) => c.code);
    expect(codes).toContain("claude_cwd_invalid");
    expect(codes).toContain("claude_command_unresolvable");
    expect(res.checks.find((c) => c.code === "claude_command_unresolvable")?.hint).toBeTruthy();
  });
});
