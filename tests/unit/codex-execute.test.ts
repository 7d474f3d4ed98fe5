/**
 * codex_local `execute` against the fake Codex CLI (tests/fixtures/fake-codex.mjs), a real process
 * but no engine: the prompt travels on stdin behind the `-` argument, so a prompt larger than one
 * argv element may be works. The engine path is in tests/integration/adapter-codex-local.test.ts.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { codexLocalAdapter } from "../../adapters/codex-local/index.js";
import type { AdapterExecutionContext, AdapterInvocationMeta } from "../../adapters/types.js";

const fakeCodex = path.resolve("tests/fixtures/fake-codex.mjs");

beforeAll(() => {
  fs.chmodSync(fakeCodex, 0o755);
});

function context(config: Record<string, unknown>, runContext: Record<string, unknown>) {
  const logs: Array<{ stream: string; chunk: string }> = [];
  const meta: AdapterInvocationMeta[] = [];
  const ctx: AdapterExecutionContext = {
    runId: crypto.randomUUID(),
    agent: { id: "agent-1", companyId: "co-1", name: "verbose", adapterType: "codex_local", adapterConfig: config },
    runtime: { sessionId: null, sessionParams: null, sessionDisplayId: null, taskKey: null },
    config,
    context: runContext,
    onLog: async (stream, chunk) => {
      logs.push({ stream, chunk });
    },
    onMeta: async (m) => {
      meta.push(m);
    },
  };
  const text = (stream: string) => logs.filter((l) => l.stream === stream).map((l) => l.chunk).join("");
  return { ctx, meta, text };
}

describe("codex_local execute", () => {
  it("sends a prompt larger than one argv element may be on stdin", async () => {
    // Linux caps a single argument at 128 KiB: this prompt would make spawn fail with E2BIG in argv.
    // A prompt grows that large through the task it carries (the template itself is capped in config).
    const filler = "x".repeat(300_000);
    const { ctx, meta, text } = context({ command: fakeCodex, cwd: os.tmpdir(), promptTemplate: "You are {{agent.name}}. {{taskBody}}" }, { wakeReason: "issue_assigned", taskBody: filler });
    const result = await codexLocalAdapter.module.execute(ctx);
    expect(result).toMatchObject({ exitCode: 0, timedOut: false, usage: { inputTokens: 900, cachedInputTokens: 300, outputTokens: 80 } });
    expect(result.errorCode).toBeUndefined();
    const expectedLength = "You are verbose. ".length + filler.length;
    expect(text("stderr")).toContain(`fake-codex stdin prompt: ${expectedLength} chars`);
    expect(meta[0]?.commandArgs?.at(-1)).toBe("-");
    expect(meta[0]?.commandArgs?.some((a) => a.includes(filler))).toBe(false);
  });
});
