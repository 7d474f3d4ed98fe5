/** The http adapter's pure parts: address classification, allowlist parsing, answer reading, ui/cli parts. */
import { describe, expect, it } from "vitest";
import { buildConfig } from "../../adapters/http/ui/build-config.js";
import { parseStdoutLine } from "../../adapters/http/ui/parse-stdout.js";
import { bodyReport, retryAfterIso } from "../../adapters/http/server/response.js";
import { TargetBlockedError, classifyAddress, privateAllowlist, resolveTarget } from "../../adapters/http/server/target-guard.js";
import { httpConfigSchema, requestTimeoutMs } from "../../adapters/http/config.js";

describe("http target guard", () => {
  it("classifies addresses", () => {
    expect(classifyAddress("8.8.8.8", 4)).toBe("public");
    expect(classifyAddress("127.0.0.1", 4)).toBe("private");
    expect(classifyAddress("10.1.2.3", 4)).toBe("private");
    expect(classifyAddress("172.20.0.1", 4)).toBe("private");
    expect(classifyAddress("192.168.1.1", 4)).toBe("private");
    expect(classifyAddress("100.64.0.1", 4)).toBe("private");
    expect(classifyAddress("169.254.169.254", 4)).toBe("forbidden");
    expect(classifyAddress("0.0.0.0", 4)).toBe("forbidden");
    expect(classifyAddress("::1", 6)).toBe("private");
    expect(classifyAddress("fd00::1", 6)).toBe("private");
    expect(classifyAddress("fe80::1", 6)).toBe("forbidden");
    expect(classifyAddress("::ffff:10.0.0.1", 6)).toBe("private");
    expect(classifyAddress("::ffff:169.254.169.254", 6)).toBe("forbidden");
    expect(classifyAddress("2606:4700::1111", 6)).toBe("public");
  });

  it("allows a private origin only when listed exactly, and link-local never", async () => {
    const allow = privateAllowlist({ PAPERCLIP_HTTP_ADAPTER_PRIVATE_ENDPOINT_ALLOWLIST: "http://127.0.0.1:8080, not a url ,http://169.254.169.254" });
    expect([...allow]).toEqual(["http://127.0.0.1:8080", "http://169.254.169.254"]);
    await expect(resolveTarget(new URL("http://127.0.0.1:8080/hook"), allow)).resolves.toEqual({ address: "127.0.0.1", family: 4 });
    await expect(resolveTarget(new URL("http://127.0.0.1:8081/hook"), allow)).rejects.toBeInstanceOf(TargetBlockedError);
    await expect(resolveTarget(new URL("http://169.254.169.254/latest"), allow)).rejects.toThrow(/link-local/);
    await expect(resolveTarget(new URL("http://[::1]:9/x"), new Set())).rejects.toThrow(/private or loopback/);
    await expect(resolveTarget(new URL("http://localhost:9/x"), new Set())).rejects.toBeInstanceOf(TargetBlockedError);
  });
});

describe("http answers and config", () => {
  it("reads a reported result defensively", () => {
    expect(bodyReport('{"summary":"done","usage":{"inputTokens":5,"output_tokens":2},"costUsd":0.5,"model":"m"}')).toEqual({ summary: "done", usage: { inputTokens: 5, outputTokens: 2, cachedInputTokens: 0 }, costUsd: 0.5, model: "m" });
    expect(bodyReport('{"usage":{"inputTokens":-5},"costUsd":"lots","summary":42}')).toEqual({});
    expect(bodyReport("not json")).toEqual({});
    expect(bodyReport("[1,2]")).toEqual({});
  });

  it("turns Retry-After into an ISO time", () => {
    expect(retryAfterIso("30", 0)).toBe(new Date(30_000).toISOString());
    expect(retryAfterIso("Wed, 21 Oct 2026 07:28:00 GMT")).toBe("2026-10-21T07:28:00.000Z");
    expect(retryAfterIso(undefined)).toBeNull();
    expect(retryAfterIso("soon")).toBeNull();
  });

  it("accepts timeoutMs (code) and timeoutSec (docs), timeoutMs first", () => {
    const parse = (c: object) => httpConfigSchema.parse({ url: "https://x.example", ...c });
    expect(requestTimeoutMs(parse({}))).toBe(120_000);
    expect(requestTimeoutMs(parse({ timeoutSec: 5 }))).toBe(5000);
    expect(requestTimeoutMs(parse({ timeoutSec: 5, timeoutMs: 700 }))).toBe(700);
    expect(parse({ method: "put" }).method).toBe("PUT");
  });

  it("ui and cli parts", () => {
    expect(parseStdoutLine("hello", "t")).toEqual([{ kind: "stdout", ts: "t", text: "hello" }]);
    expect(parseStdoutLine("  ", "t")).toEqual([]);
    expect(buildConfig({ url: " https://a.example/hook ", method: "put", headers: "Authorization: Bearer x\nX-Team: blue", payloadTemplateJson: '{"a":1}', timeoutMs: "5000", asyncCallback: true })).toEqual({
      url: "https://a.example/hook",
      method: "PUT",
      headers: { Authorization: "Bearer x", "X-Team": "blue" },
      payloadTemplate: { a: 1 },
      timeoutMs: 5000,
      asyncCallback: true,
    });
    expect(buildConfig({ payloadTemplateJson: "{broken" })).toEqual({});
  });
});
