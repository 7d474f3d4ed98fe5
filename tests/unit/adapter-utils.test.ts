/**
 * The small shared pieces of adapters/utils that every CLI adapter now leans on: streamed line
 * splitting, the form readers, and the result shapes of a run that failed or lost its session.
 */
import { describe, expect, it } from "vitest";
import { exitDescription, sessionFields, storedSessionId, withoutSession } from "../../adapters/utils/cli-run.js";
import { localCliFormFields, parseBooleanField, parseHeaderLines } from "../../adapters/utils/form-fields.js";
import { LineSplitter, jsonEventLines } from "../../adapters/utils/jsonl.js";
import { truncateText } from "../../adapters/utils/text.js";

describe("LineSplitter", () => {
  it("joins lines split across chunks, skips blank ones and flushes the last line", () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((l) => lines.push(l));
    for (const chunk of ["a", "b\n\n  ", "c \nd"]) splitter.push(chunk);
    splitter.end();
    expect(lines).toEqual(["ab", "c", "d"]);
  });

  it("drops an overlong line whole, once, and goes on with the next one", () => {
    const lines: string[] = [];
    let overflows = 0;
    const splitter = new LineSplitter((l) => lines.push(l), () => overflows++, 10);
    splitter.push("x".repeat(8));
    splitter.push("x".repeat(8));
    splitter.push("xxx\nnext\n");
    splitter.end();
    expect({ lines, overflows }).toEqual({ lines: ["next"], overflows: 1 });
  });

  it("sends typed JSON events on and counts everything else", () => {
    const events: string[] = [];
    let other = 0;
    const lines = jsonEventLines((type) => events.push(type), () => other++);
    lines.push('{"type":"a"}\nnot json\n[1]\n{"type":5}\n{"type":"b"}');
    lines.end();
    expect({ events, other }).toEqual({ events: ["a", "b"], other: 3 });
  });
});

describe("form fields", () => {
  it("reads checkboxes and header lines", () => {
    expect([true, "on", "Yes", "1", false, "off", "0", "maybe", 1].map(parseBooleanField)).toEqual([true, true, true, true, false, false, false, undefined, undefined]);
    expect(parseHeaderLines("X-Team: blue\nno colon\n: nameless\nAuth: a:b")).toEqual({ "X-Team": "blue", Auth: "a:b" });
    expect(parseHeaderLines("garbage")).toBeUndefined();
  });

  it("reads the fields every local CLI form has, the generic args field included", () => {
    expect(localCliFormFields({ command: " claude ", args: "--a, --b", envVars: "K=v", timeoutSec: "30", promptTemplate: "  Hi  " })).toEqual({
      command: "claude",
      cwd: undefined,
      model: undefined,
      promptTemplate: "  Hi  ",
      extraArgs: ["--a", "--b"],
      env: { K: "v" },
      timeoutSec: 30,
      graceSec: undefined,
    });
  });
});

describe("result shapes", () => {
  const runtime = (sessionParams: Record<string, unknown> | null, sessionId: string | null) => ({ runtime: { sessionParams, sessionId, sessionDisplayId: null, taskKey: null } });

  it("finds the stored session in sessionParams, else the legacy id", () => {
    expect(storedSessionId(runtime({ sessionId: "p" }, "legacy"))).toBe("p");
    expect(storedSessionId(runtime({ sessionId: 5 }, "legacy"))).toBe("legacy");
    expect(storedSessionId(runtime(null, ""))).toBeNull();
  });

  it("describes how a process ended", () => {
    expect(exitDescription({ exitCode: 2, signal: null })).toBe("exited with code 2");
    expect(exitDescription({ exitCode: null, signal: "SIGKILL" })).toBe("was killed by SIGKILL");
    expect(exitDescription({ exitCode: 0, signal: null }, "reported a failed turn")).toBe("reported a failed turn");
  });

  it("reports the runtime's session, clears a dropped one, and forgets one the runtime refused", () => {
    expect(sessionFields("s-1", { clearWhenMissing: true })).toEqual({ sessionId: "s-1", sessionParams: { sessionId: "s-1" }, sessionDisplayId: "s-1" });
    expect(sessionFields("/x/s.jsonl", { clearWhenMissing: false, displayId: "s" }).sessionDisplayId).toBe("s");
    expect(sessionFields(null, { clearWhenMissing: true })).toEqual({ clearSession: true });
    expect(sessionFields(null, { clearWhenMissing: false })).toEqual({});
    const base = { exitCode: 1, signal: null, timedOut: false, ...sessionFields("s-1", { clearWhenMissing: false }) };
    expect(withoutSession(base)).toEqual({ exitCode: 1, signal: null, timedOut: false, clearSession: true });
  });

  it("caps text with an ellipsis and drops blank text", () => {
    expect(truncateText("  abcdef  ", 4)).toBe("abc…");
    expect(truncateText(" ok ")).toBe("ok");
    expect(truncateText("  ")).toBeNull();
    expect(truncateText(null)).toBeNull();
  });
});
