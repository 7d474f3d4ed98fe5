/** Parsing `codex exec --json` output, classifying failures and building the Codex argv. */
import { describe, expect, it } from "vitest";
import { codexLocalAdapter } from "../../adapters/codex-local/index.js";
import { buildCodexArgs } from "../../adapters/codex-local/server/execute.js";
import { CodexJsonlParser, classifyCodexFailure, parseCodexJsonl, truncateUtf8 } from "../../adapters/codex-local/server/parse.js";

const line = (e: unknown) => JSON.stringify(e) + "\n";

describe("parseCodexJsonl", () => {
  it("reads the thread, sums usage over turns (input without the cached part), keeps the last agent message and skips non-JSON lines", () => {
    const out = [
      line({ type: "thread.started", thread_id: "t-1" }),
      "WARN something that is not JSON\n",
      "{broken json\n",
      line(["an", "array"]),
      line({ type: "turn.started" }),
      line({ type: "item.completed", item: { id: "i0", type: "agent_message", text: "first" } }),
      line({ type: "turn.completed", usage: { input_tokens: 10, cached_input_tokens: 4, output_tokens: 2 } }),
      line({ type: "turn.started" }),
      line({ type: "item.completed", item: { id: "i1", type: "reasoning", text: "thinking" } }),
      line({ type: "item.completed", item: { id: "i2", type: "agent_message", text: "second" } }),
      line({ type: "turn.completed", usage: { input_tokens: 5, cached_input_tokens: "x", output_tokens: -3 } }),
    ].join("");
    const s = parseCodexJsonl(out);
    expect(s).toMatchObject({ threadId: "t-1", lastMessage: "second", turnsCompleted: 2, errorMessage: null, nonJsonLines: 3 });
    // Codex's input_tokens includes cached_input_tokens: (10 − 4) + (5 − 0) uncached.
    expect(s.usage).toEqual({ inputTokens: 11, cachedInputTokens: 4, outputTokens: 2 });
  });

  it("handles events split across chunks and a last line without a newline", () => {
    const p = new CodexJsonlParser();
    const text = line({ type: "thread.started", thread_id: "abc" }) + JSON.stringify({ type: "turn.completed", usage: { input_tokens: 7, output_tokens: 1 } });
    for (const ch of text) p.push(ch);
    expect(p.end()).toMatchObject({ threadId: "abc", turnsCompleted: 1, usage: { inputTokens: 7, outputTokens: 1, cachedInputTokens: 0 } });
  });

  it("records turn.failed and error events; a later completed turn clears a transient error", () => {
    const failed = parseCodexJsonl(line({ type: "turn.failed", error: { message: "boom" } }));
    expect(failed.errorMessage).toBe("boom");
    const err = parseCodexJsonl(line({ type: "error", message: "oops" }));
    expect(err.errorMessage).toBe("oops");
    const recovered = parseCodexJsonl(line({ type: "error", message: "Reconnecting... 1/5" }) + line({ type: "turn.completed", usage: {} }));
    expect(recovered.errorMessage).toBeNull();
    expect(recovered.errorMessages).toEqual(["Reconnecting... 1/5"]);
  });

  it("ignores malformed fields", () => {
    const s = parseCodexJsonl(line({ type: "thread.started", thread_id: 42 }) + line({ type: "item.completed", item: { type: "agent_message", text: null } }) + line({ type: "turn.completed", usage: "lots" }));
    expect(s).toMatchObject({ threadId: null, lastMessage: null, turnsCompleted: 1, usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 } });
  });
});

describe("failure classification", () => {
  it("tells auth, quota and unknown-thread failures apart", () => {
    expect(classifyCodexFailure("Error: Not logged in")).toBe("auth_required");
    expect(classifyCodexFailure("unexpected status 401 Unauthorized: Missing bearer")).toBe("auth_required");
    expect(classifyCodexFailure("You've hit your usage limit.")).toBe("provider_quota");
    expect(classifyCodexFailure("exceeded retry limit, last status: 429 Too Many Requests (rate limit)")).toBe("provider_quota");
    expect(classifyCodexFailure("no rollout found for thread id 123")).toBe("unknown_thread");
    expect(classifyCodexFailure("stream disconnected before completion")).toBeNull();
  });

  it("never reports negative uncached input when a turn reports more cached than total", () => {
    const s = parseCodexJsonl(line({ type: "turn.completed", usage: { input_tokens: 3, cached_input_tokens: 10, output_tokens: 1 } }));
    expect(s.usage).toEqual({ inputTokens: 0, cachedInputTokens: 10, outputTokens: 1 });
  });
});

describe("argv and config", () => {
  const cfg = { model: "gpt-5-codex", extraArgs: ["-c", "x=1"], bypassApprovalsAndSandbox: false };
  it("starts fresh with exec --json, resumes with `resume <thread>` after every flag, and always reads the prompt from stdin (-)", () => {
    expect(buildCodexArgs(cfg, null)).toEqual(["exec", "--json", "-m", "gpt-5-codex", "--skip-git-repo-check", "-c", "x=1", "-"]);
    expect(buildCodexArgs({ ...cfg, model: undefined, bypassApprovalsAndSandbox: true }, "t-9")).toEqual([
      "exec", "--json", "--skip-git-repo-check", "--dangerously-bypass-approvals-and-sandbox", "-c", "x=1", "resume", "t-9", "-",
    ]);
  });

  it("validates config", () => {
    expect(codexLocalAdapter.validateConfig({})).toEqual([]);
    expect(codexLocalAdapter.validateConfig({ cwd: "relative/dir" })).toEqual([expect.objectContaining({ path: "cwd" })]);
    expect(codexLocalAdapter.validateConfig({ extraArgs: "--foo" })).toEqual([expect.objectContaining({ path: "extraArgs" })]);
    expect(codexLocalAdapter.validateConfig({ env: { A: 1 } })).toEqual([expect.objectContaining({ path: "env.A" })]);
    // Two attempts: a stale thread is retried once with a new one.
    expect(codexLocalAdapter.maxRunSeconds({ timeoutSec: 10, graceSec: 5 })).toBe(30);
  });

  it("truncates a summary to 2 KB of UTF-8 without splitting characters", () => {
    const t = truncateUtf8("é".repeat(2000));
    expect(Buffer.byteLength(t)).toBeLessThanOrEqual(2048);
    expect(t).toBe("é".repeat(1024));
    expect(truncateUtf8("short")).toBe("short");
  });
});
