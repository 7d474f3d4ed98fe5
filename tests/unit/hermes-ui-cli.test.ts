/** hermes_local's run-viewer transcript, terminal printer and create-agent form builder. */
import { describe, expect, it } from "vitest";
import { formatStdoutEvent } from "../../adapters/hermes-local/cli/format-event.js";
import { buildConfig } from "../../adapters/hermes-local/ui/build-config.js";
import { parseStdoutLine } from "../../adapters/hermes-local/ui/parse-stdout.js";

const ts = "2026-01-01T00:00:00.000Z";

describe("hermes_local parseStdoutLine", () => {
  it("reads the session line as init, metadata and tool progress as system, the rest as the reply", () => {
    expect(parseStdoutLine("session_id: 20260322_141501_ab12cd", ts)).toEqual([{ kind: "init", ts, model: "", sessionId: "20260322_141501_ab12cd" }]);
    expect(parseStdoutLine("tokens: 5 input, 6 output", ts)).toEqual([{ kind: "system", ts, text: "tokens: 5 input, 6 output" }]);
    expect(parseStdoutLine("cost: $0.01", ts)).toEqual([{ kind: "system", ts, text: "cost: $0.01" }]);
    expect(parseStdoutLine("┊ 💻 terminal  ls  0.1s", ts)).toEqual([{ kind: "system", ts, text: "┊ 💻 terminal  ls  0.1s" }]);
    expect(parseStdoutLine("┊ 💬 Hello there", ts)).toEqual([{ kind: "assistant", ts, text: "Hello there" }]);
    expect(parseStdoutLine("Plain reply line  ", ts)).toEqual([{ kind: "assistant", ts, text: "Plain reply line" }]);
  });

  it("gives nothing for blank lines and never throws", () => {
    expect(parseStdoutLine("   ", ts)).toEqual([]);
    expect(parseStdoutLine("\u0000\uFFFF{", ts)).toHaveLength(1);
  });
});

describe("hermes_local formatStdoutEvent", () => {
  it("shortens the session line and passes text through", () => {
    expect(formatStdoutEvent("session_id: abc_1", false)).toBe("session abc_1");
    expect(formatStdoutEvent("Done.", false)).toBe("Done.");
    expect(formatStdoutEvent("", false)).toBeNull();
    expect(formatStdoutEvent("", true)).toBe("");
  });
});

describe("hermes_local buildConfig", () => {
  it("keeps only filled fields, maps command to hermesCommand and types booleans and numbers", () => {
    expect(
      buildConfig({ model: "m", provider: "openrouter", command: "/opt/hermes", toolsets: "web\nterminal", maxTurns: "4", persistSession: "false", quiet: true, extraArgs: "--checkpoints", envVars: "OPENROUTER_API_KEY=sk", timeoutSec: 120 }),
    ).toEqual({ model: "m", provider: "openrouter", hermesCommand: "/opt/hermes", toolsets: "web,terminal", maxTurns: 4, persistSession: false, quiet: true, extraArgs: ["--checkpoints"], env: { OPENROUTER_API_KEY: "sk" }, timeoutSec: 120 });
    expect(buildConfig({ verbose: "maybe" })).toEqual({});
  });
});
