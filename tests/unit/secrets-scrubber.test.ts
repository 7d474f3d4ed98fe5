/** Scrubbing resolved secret values from run output, including values split across chunks. */
import { describe, expect, it } from "vitest";
import { envValueSchema, secretRefsOf } from "../../core/secrets/env-bindings.js";
import { REDACTED, SecretScrubber } from "../../core/secrets/scrubber.js";

const SECRET = "sk-live-0123456789abcdef";
const OTHER = "pw:correct-horse";

/** Feeds chunks through one stream scrubber, as the log writer does, and returns what was stored. */
function streamed(scrubber: SecretScrubber, chunks: string[]): { stored: string[]; text: string } {
  const stream = scrubber.stream();
  const stored = chunks.map((c) => stream.push(c));
  stored.push(stream.end());
  return { stored, text: stored.join("") };
}

describe("SecretScrubber", () => {
  const scrubber = new SecretScrubber([SECRET, OTHER, ""]);

  it("replaces every whole occurrence, longest value first", () => {
    const nested = new SecretScrubber(["abcd", "xxabcdxx"]);
    expect(nested.scrub("1 xxabcdxx 2 abcd")).toBe(`1 ${REDACTED} 2 ${REDACTED}`);
    expect(scrubber.scrub(`a ${SECRET} b ${SECRET}${OTHER}`)).toBe(`a ${REDACTED} b ${REDACTED}${REDACTED}`);
  });

  it("leaves text alone when there is nothing to hide", () => {
    expect(SecretScrubber.none.active).toBe(false);
    expect(SecretScrubber.none.scrub(SECRET)).toBe(SECRET);
    expect(scrubber.scrub("plain output\n")).toBe("plain output\n");
  });

  it("catches a value that straddles two chunks (and three, and one character at a time)", () => {
    const line = `token=${SECRET}\n`;
    for (const cut of [7, 10, line.length - 2]) {
      const { stored, text } = streamed(scrubber, [line.slice(0, cut), line.slice(cut)]);
      expect(text).toBe(`token=${REDACTED}\n`);
      for (const s of stored) expect(s).not.toContain(SECRET.slice(0, 4));
    }
    expect(streamed(scrubber, [line.slice(0, 8), line.slice(8, 15), line.slice(15)]).text).toBe(`token=${REDACTED}\n`);
    expect(streamed(scrubber, [...line]).text).toBe(`token=${REDACTED}\n`);
  });

  it("holds back only a possible start of a value, and releases it when the stream ends", () => {
    const stream = scrubber.stream();
    expect(stream.push("done\n")).toBe("done\n");
    expect(stream.push("prefix sk-li")).toBe("prefix ");
    expect(stream.push("ving room\n")).toBe("sk-living room\n");
    expect(stream.push("ends with sk-")).toBe("ends with ");
    expect(stream.end()).toBe("sk-");
  });

  it("masks a leading fragment of a value in an excerpt cut from longer output", () => {
    expect(scrubber.scrubExcerpt(`${SECRET.slice(6)}\nrest`)).toBe(`${REDACTED}\nrest`);
    expect(scrubber.scrubExcerpt("def\nrest")).toBe("def\nrest");
    const result = scrubber.scrubDeep({ exitCode: 0, resultJson: { stdout: `x ${SECRET}`, list: [OTHER] }, summary: null });
    expect(result).toEqual({ exitCode: 0, resultJson: { stdout: `x ${REDACTED}`, list: [REDACTED] }, summary: null });
  });
});

describe("env bindings", () => {
  const id = "5f0e5b8e-6f4e-4b8e-9a7e-1c2d3e4f5a6b";

  it("accepts strings, plain bindings and secret refs (latest, pinned)", () => {
    for (const v of ["x", { type: "plain", value: "x" }, { type: "secret_ref", secretId: id }, { type: "secret_ref", secretId: id, version: 2 }, { type: "secret_ref", secretId: id, version: "latest" }]) {
      expect(envValueSchema.safeParse(v).success).toBe(true);
    }
  });

  it("rejects anything else", () => {
    for (const v of [1, null, { type: "secret_ref" }, { type: "secret_ref", secretId: "nope" }, { type: "secret_ref", secretId: id, version: 0 }, { type: "vault", path: "x" }]) {
      expect(envValueSchema.safeParse(v).success).toBe(false);
    }
  });

  it("lists the secret refs of a config by env key", () => {
    expect(secretRefsOf({ command: "x", env: { A: "a", B: { type: "secret_ref", secretId: id }, C: { type: "plain", value: "c" } } })).toEqual([{ key: "B", ref: { type: "secret_ref", secretId: id } }]);
    expect(secretRefsOf(null)).toEqual([]);
  });
});
