/** openclaw_gateway UI and CLI parts: run log lines → transcript / terminal lines, form → config. */
import { describe, expect, it } from "vitest";
import { formatStdoutEvent } from "../../adapters/openclaw-gateway/cli/format-event.js";
import { buildConfig } from "../../adapters/openclaw-gateway/ui/build-config.js";
import { parseStdoutLine } from "../../adapters/openclaw-gateway/ui/parse-stdout.js";
import { openclawGatewayAdapter } from "../../adapters/openclaw-gateway/index.js";

const ts = "2026-01-01T00:00:00.000Z";
const ev = (stream: string, data: unknown) => `[openclaw-gateway:event] run=r1 stream=${stream} data=${JSON.stringify(data)}`;

describe("parseStdoutLine", () => {
  it("turns gateway events into transcript entries", () => {
    expect(parseStdoutLine(ev("assistant", { text: "Hi there", delta: "there" }), ts)).toEqual([{ kind: "assistant", ts, text: "there", delta: true }]);
    expect(parseStdoutLine(ev("assistant", { text: "Full" }), ts)).toEqual([{ kind: "assistant", ts, text: "Full" }]);
    expect(parseStdoutLine(ev("tool", { phase: "start", name: "bash", toolCallId: "c1", args: { cmd: "ls" } }), ts)).toEqual([{ kind: "tool_call", ts, name: "bash", input: { cmd: "ls" }, toolUseId: "c1" }]);
    expect(parseStdoutLine(ev("tool", { phase: "result", name: "bash", toolCallId: "c1", result: "ok", isError: true }), ts)).toEqual([{ kind: "tool_result", ts, toolUseId: "c1", toolName: "bash", content: "ok", isError: true }]);
    expect(parseStdoutLine(ev("lifecycle", { phase: "error", error: "boom" }), ts)).toEqual([{ kind: "stderr", ts, text: "run r1 failed: boom" }]);
    expect(parseStdoutLine(ev("lifecycle", { phase: "end" }), ts)).toEqual([{ kind: "system", ts, text: "run r1 end" }]);
  });

  it("never throws on odd lines", () => {
    expect(parseStdoutLine("[openclaw-gateway] connecting to ws://127.0.0.1:1", ts)).toEqual([{ kind: "system", ts, text: "connecting to ws://127.0.0.1:1" }]);
    expect(parseStdoutLine('[openclaw-gateway:event] run=r1 stream=assistant data={"text":"cut', ts)[0]?.kind).toBe("stdout");
    expect(parseStdoutLine("[openclaw-gateway:event] run=r1 stream=assistant data=[1,2]", ts)[0]?.kind).toBe("stdout");
    expect(parseStdoutLine("   ", ts)).toEqual([]);
    expect(parseStdoutLine(ev("assistant", {}), ts)).toEqual([]);
  });
});

describe("formatStdoutEvent", () => {
  it("prints assistant text and tool steps, hides lifecycle unless debugging", () => {
    expect(formatStdoutEvent(ev("assistant", { text: "Hi", delta: "Hi" }), false)).toBe("Hi");
    expect(formatStdoutEvent(ev("tool", { phase: "start", name: "bash" }), false)).toBe("→ bash");
    expect(formatStdoutEvent(ev("tool", { phase: "result", name: "bash", isError: true }), false)).toBe("✗ bash failed");
    expect(formatStdoutEvent(ev("lifecycle", { phase: "start" }), false)).toBeNull();
    expect(formatStdoutEvent(ev("lifecycle", { phase: "start" }), true)).toBe("run r1 start");
    expect(formatStdoutEvent("[openclaw-gateway] connected", false)).toBeNull();
    expect(formatStdoutEvent("[openclaw-gateway] connected", true)).toBe("[openclaw-gateway] connected");
    expect(formatStdoutEvent("plain", false)).toBe("plain");
  });
});

describe("buildConfig", () => {
  it("keeps only filled fields, in the types the schema wants", () => {
    const config = buildConfig({
      url: " ws://127.0.0.1:18789 ",
      authToken: "tok",
      scopes: "operator.admin, operator.read",
      timeoutSec: "300",
      waitTimeoutMs: "",
      sessionKeyStrategy: "fixed",
      sessionKey: "ops",
      payloadTemplate: '{"thinking":"low"}',
      headers: "x-openclaw-token: abc\nX-Other: 1",
      disableDeviceAuth: false,
      model: "",
    });
    expect(config).toEqual({
      url: "ws://127.0.0.1:18789",
      authToken: "tok",
      scopes: ["operator.admin", "operator.read"],
      timeoutSec: 300,
      sessionKeyStrategy: "fixed",
      sessionKey: "ops",
      payloadTemplate: { thinking: "low" },
      headers: { "x-openclaw-token": "abc", "X-Other": "1" },
      disableDeviceAuth: false,
    });
    expect(openclawGatewayAdapter.validateConfig(config)).toEqual([]);
    expect(buildConfig({ payloadTemplate: "{broken" }).payloadTemplate).toBe("{broken");
    expect(openclawGatewayAdapter.validateConfig({ url: "ws://x:1", payloadTemplate: "{broken" })).not.toEqual([]);
  });
});
