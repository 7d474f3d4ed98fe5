/** pi_local server parts: argv, config validation, session files, failure classification and testEnvironment. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { piLocalAdapter } from "../../adapters/pi-local/index.js";
import { splitPiModel } from "../../adapters/pi-local/config.js";
import { buildPiArgs, isStaleSessionFailure, piPromptArg, resolveInstructionsFile } from "../../adapters/pi-local/server/execute.js";
import { piSessionCodec, piSessionDir, storedPiSessionFile } from "../../adapters/pi-local/server/session-files.js";
import { testPiEnvironment } from "../../adapters/pi-local/server/test.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pi-unit-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("pi_local argv", () => {
  it("puts the prompt last and passes provider, model, thinking, session and instructions", () => {
    const args = buildPiArgs({ model: "openrouter/anthropic/claude-3.5", thinking: "low", extraArgs: ["--tools", "read,bash"] }, { prompt: "do it", sessionFile: "/h/.pi-sessions/a.jsonl", instructionsFile: "/repo/AGENTS.md" });
    expect(args).toEqual(["--mode", "json", "-p", "--append-system-prompt", "/repo/AGENTS.md", "--provider", "openrouter", "--model", "anthropic/claude-3.5", "--thinking", "low", "--session", "/h/.pi-sessions/a.jsonl", "--tools", "read,bash", "do it"]);
    expect(buildPiArgs({ model: "openai/gpt-5", extraArgs: [] }, { prompt: "x", sessionFile: "/s.jsonl", instructionsFile: null })).not.toContain("--append-system-prompt");
  });

  it("keeps a prompt starting with - or @ from being read as a flag or a file", () => {
    expect(piPromptArg("--help me")).toBe(" --help me");
    expect(piPromptArg("@file.md")).toBe(" @file.md");
    expect(piPromptArg("normal")).toBe("normal");
  });

  it("splits provider/model at the first slash", () => {
    expect(splitPiModel("anthropic/claude-sonnet-4-5")).toEqual({ provider: "anthropic", modelId: "claude-sonnet-4-5" });
  });

  it("resolves the instructions file against cwd and skips a missing one with a warning", () => {
    fs.writeFileSync(path.join(tmp, "AGENTS.md"), "be brief");
    expect(resolveInstructionsFile("AGENTS.md", tmp)).toEqual({ file: path.join(tmp, "AGENTS.md"), warning: null });
    const missing = resolveInstructionsFile("nope.md", tmp);
    expect(missing.file).toBeNull();
    expect(missing.warning).toContain("not a readable file");
    expect(resolveInstructionsFile(undefined, tmp)).toEqual({ file: null, warning: null });
  });
});

describe("pi_local config", () => {
  const problems = (config: unknown) => piLocalAdapter.validateConfig(config).map((p) => `${p.path}: ${p.message}`);

  it("requires model as provider/model, with a message that says how", () => {
    expect(problems({})).toEqual([expect.stringContaining("model: model is required")]);
    expect(problems({ model: "sonnet" })[0]).toContain('model must be "provider/model"');
    expect(problems({ model: "anthropic/claude-sonnet-4-5" })).toEqual([]);
  });

  it("rejects a string extraArgs, a bad thinking level and a relative cwd", () => {
    const p = problems({ model: "a/b", extraArgs: "--x", thinking: "max", cwd: "rel" });
    expect(p.join("\n")).toMatch(/extraArgs must be an array of strings/);
    expect(p.join("\n")).toMatch(/thinking must be one of off, minimal/);
    expect(p.join("\n")).toMatch(/cwd must be an absolute path/);
  });

  it("bounds a run by two attempts of timeout + grace", () => {
    expect(piLocalAdapter.maxRunSeconds({ model: "a/b", timeoutSec: 100 })).toBe(2 * (100 + 20));
    expect(piLocalAdapter.maxRunSeconds({ model: "a/b" })).toBe(24 * 3600);
  });
});

describe("pi_local session files", () => {
  it("keeps them under the agent home, else under cwd", () => {
    expect(piSessionDir({ context: { paperclipWorkspace: { agentHome: "/data/agents/a1" } } }, "/work")).toBe("/data/agents/a1/.pi-sessions");
    expect(piSessionDir({ context: {} }, "/work")).toBe("/work/.pi-sessions");
  });

  it("stores the file path and shows its id; ignores anything that is not an absolute .jsonl path", () => {
    const file = "/data/agents/a1/.pi-sessions/1234.jsonl";
    expect(piSessionCodec.serialize({ sessionId: file })).toEqual({ sessionId: file });
    expect(piSessionCodec.deserialize({ sessionFile: file })).toEqual({ sessionId: file });
    expect(piSessionCodec.getDisplayId?.({ sessionId: file })).toBe("1234");
    expect(piSessionCodec.deserialize({ sessionId: "relative.jsonl" })).toBeNull();
    expect(piSessionCodec.deserialize({ sessionId: "/etc/passwd" })).toBeNull();
    expect(storedPiSessionFile({ runtime: { sessionId: null, sessionParams: { sessionId: file }, sessionDisplayId: "1234", taskKey: null } })).toBe(file);
    expect(storedPiSessionFile({ runtime: { sessionId: "not-a-path", sessionParams: null, sessionDisplayId: null, taskKey: null } })).toBeNull();
  });

  it("recognises a session Pi cannot load", () => {
    expect(isStaleSessionFailure("Error: Failed to load session file /x.jsonl: bad header")).toBe(true);
    expect(isStaleSessionFailure("Error: 500 upstream")).toBe(false);
  });
});

describe("pi_local testEnvironment", () => {
  const fakePi = path.resolve("tests/fixtures/fake-pi.mjs");
  const codes = async (config: Record<string, unknown>) => {
    fs.chmodSync(fakePi, 0o755);
    const r = await testPiEnvironment({ companyId: "c", adapterType: "pi_local", config });
    return { status: r.status, codes: r.checks.map((c) => `${c.code}:${c.level}`) };
  };

  it("passes with a model, a cwd and a resolvable command", async () => {
    const r = await codes({ model: "anthropic/claude-sonnet-4-5", cwd: tmp, command: fakePi });
    expect(r).toEqual({ status: "pass", codes: ["pi_model_configured:info", "pi_cwd_valid:info", "pi_command_resolvable:info"] });
  });

  it("fails on a missing model or command, warns on a missing instructions file", async () => {
    expect(await codes({ cwd: tmp, command: fakePi })).toMatchObject({ status: "fail", codes: expect.arrayContaining(["pi_model_required:error"]) });
    expect((await codes({ model: "nope", command: fakePi })).codes).toContain("pi_model_invalid:error");
    expect((await codes({ model: "a/b", command: "no-such-pi-xyz" })).codes).toContain("pi_command_unresolvable:error");
    expect(await codes({ model: "a/b", cwd: tmp, command: fakePi, instructionsFilePath: "missing.md" })).toMatchObject({ status: "warn", codes: expect.arrayContaining(["pi_instructions_file_missing:warn"]) });
  });
});
