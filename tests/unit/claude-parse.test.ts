/** Claude Code stream-json parsing, prompt rendering, argv and config validation of `claude_local`. */
import { describe, expect, it } from "vitest";
import { buildClaudeArgs, claudeLocalAdapter, claudeSessionCodec } from "../../adapters/claude-local/index.js";
import { claudeConfigSchema, renderPromptTemplate } from "../../adapters/claude-local/config.js";
import { ClaudeStreamParser, isAuthFailure, isUnknownSessionError, parseClaudeStreamJson, truncateSummary } from "../../adapters/claude-local/parse.js";

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

describe("claude_local config and argv", () => {
  it("renders the prompt template", () => {
    expect(renderPromptTemplate("{{agent.name}} / {{ runId }} / {{wakeReason}} / {{other}}", { agentName: "Ada", agentId: "a1", runId: "r1", wakeReason: "timer" })).toBe(
      "Ada / r1 / timer / {{other}}",
    );
  });

  it("builds the command line", () => {
    const config = claudeConfigSchema.parse({ model: "sonnet", extraArgs: ["--max-turns", "3"], dangerouslySkipPermissions: true });
    expect(config.command).toBe("claude");
    expect(buildClaudeArgs(config, "hello", "sess-1")).toEqual([
      "-p", "hello", "--output-format", "stream-json", "--verbose", "--dangerously-skip-permissions", "--model", "sonnet", "--resume", "sess-1", "--max-turns", "3",
    ]);
    expect(buildClaudeArgs(claudeConfigSchema.parse({}), "p", null)).toEqual(["-p", "p", "--output-format", "stream-json", "--verbose"]);
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
