/** The `process` adapter's ui and cli parts: raw lines shown as they are, form values → adapterConfig. */
import { describe, expect, it } from "vitest";
import { processAdapter } from "../../adapters/process/index.js";
import { formatStdoutEvent } from "../../adapters/process/cli/format-event.js";
import { buildConfig } from "../../adapters/process/ui/build-config.js";
import { parseEnvLines, splitList } from "../../adapters/utils/form-fields.js";
import { parseStdoutLine } from "../../adapters/process/ui/parse-stdout.js";

const ts = "2026-01-01T00:00:00.000Z";

describe("process parseStdoutLine", () => {
  it("shows every line as stdout, JSON or not", () => {
    expect(parseStdoutLine("building…", ts)).toEqual([{ kind: "stdout", ts, text: "building…" }]);
    expect(parseStdoutLine('{"type":"result"}', ts)).toEqual([{ kind: "stdout", ts, text: '{"type":"result"}' }]);
    expect(parseStdoutLine("", ts)).toEqual([{ kind: "stdout", ts, text: "" }]);
  });

  it("never throws on garbage", () => {
    for (const junk of ["\u0000\u001b[31m", "{not json", "x".repeat(100_000), undefined as unknown as string, 42 as unknown as string]) {
      expect(() => parseStdoutLine(junk, ts)).not.toThrow();
    }
  });
});

describe("process buildConfig", () => {
  it("turns the form into a config the adapter accepts: args as an array, env lines as an object", () => {
    const config = buildConfig({
      command: " node ",
      args: "scripts/agent.mjs, --verbose",
      cwd: "/srv/agent",
      envVars: "# the model\nMODEL=gpt-5\nEMPTY=\nURL=https://x.test/?a=b\n  not a pair  \n1BAD=x\n",
      timeoutSec: "300",
      graceSec: 5,
      promptTemplate: "You are {{agent.name}}",
      promptDelivery: "both",
    });
    expect(config).toEqual({
      command: "node",
      args: ["scripts/agent.mjs", "--verbose"],
      cwd: "/srv/agent",
      env: { MODEL: "gpt-5", EMPTY: "", URL: "https://x.test/?a=b" },
      timeoutSec: 300,
      graceSec: 5,
      promptTemplate: "You are {{agent.name}}",
      promptDelivery: "both",
    });
    expect(processAdapter.validateConfig(config)).toEqual([]);
  });

  it("splits args on newlines when there are several lines, so an argument may contain a comma", () => {
    expect(buildConfig({ command: "agent", args: "--tools=read,bash\n--fast\n\n" }).args).toEqual(["--tools=read,bash", "--fast"]);
    expect(splitList(" , ,")).toBeUndefined();
  });

  it("keeps only what the user filled, and drops unreadable values", () => {
    expect(buildConfig({})).toEqual({});
    expect(buildConfig({ command: "  ", args: "", envVars: "\n", timeoutSec: "soon", promptDelivery: "pipe", cwd: "" })).toEqual({});
    expect(parseEnvLines("=nokey\nA B=1")).toBeUndefined();
  });
});

describe("process formatStdoutEvent", () => {
  it("prints each line as it is", () => {
    expect(formatStdoutEvent("hello", false)).toBe("hello");
    expect(formatStdoutEvent('{"a":1}', true)).toBe('{"a":1}');
    expect(formatStdoutEvent(undefined as unknown as string, false)).toBeNull();
  });
});

describe("process testEnvironment", () => {
  const test = (config: Record<string, unknown>) => processAdapter.module.testEnvironment({ companyId: "c", adapterType: "process", config });

  it("passes with a resolvable command and an existing cwd", async () => {
    const r = await test({ command: process.execPath, cwd: process.cwd() });
    expect(r.status).toBe("pass");
    expect(r.checks.map((c) => c.code)).toEqual(["process_cwd_valid", "process_command_resolvable", "process_command_present"]);
  });

  it("fails with stable codes for a missing command, a bad cwd, an unresolvable command and a string args", async () => {
    const missing = await test({ cwd: "/definitely/not/here" });
    expect(missing.status).toBe("fail");
    expect(missing.checks.map((c) => c.code)).toEqual(expect.arrayContaining(["process_command_missing", "process_cwd_invalid", "process_config_invalid"]));
    expect(missing.checks.map((c) => c.code)).not.toContain("process_command_unresolvable");
    const unresolvable = await test({ command: "definitely-not-a-binary-xyz", args: "a string" });
    const codes = unresolvable.checks.map((c) => c.code);
    expect(codes).toEqual(expect.arrayContaining(["process_command_unresolvable", "process_config_invalid", "process_cwd_default"]));
    expect(unresolvable.checks.find((c) => c.code === "process_config_invalid")?.message).toContain("args must be an array");
  });
});
