/** hermes_local server parts: argv, config validation, unknown-session detection and testEnvironment. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hermesLocalAdapter } from "../../adapters/hermes-local/index.js";
import { hermesCommandOf, hermesConfigSchema, toolsetsArg } from "../../adapters/hermes-local/config.js";
import { buildHermesArgs, isUnknownSessionFailure } from "../../adapters/hermes-local/server/execute.js";
import { testHermesEnvironment } from "../../adapters/hermes-local/server/test.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hermes-unit-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const config = (raw: Record<string, unknown>) => hermesConfigSchema.parse(raw);

describe("hermes_local argv", () => {
  it("builds chat -q with every configured flag, --source tool --yolo, then --resume and extraArgs", () => {
    const args = buildHermesArgs(config({ model: "m1", provider: "nous", toolsets: "web, terminal", maxTurns: 7, verbose: true, extraArgs: ["--checkpoints"] }), "hi", "20260101_000000_abcdef");
    expect(args).toEqual(["chat", "-q", "hi", "-Q", "-m", "m1", "--provider", "nous", "-t", "web,terminal", "--max-turns", "7", "-v", "--source", "tool", "--yolo", "--resume", "20260101_000000_abcdef", "--checkpoints"]);
  });

  it("leaves out -Q when quiet is off, --provider for auto, and uses --query= for a prompt starting with -", () => {
    expect(buildHermesArgs(config({ quiet: false, provider: "auto" }), "-x marks", null)).toEqual(["chat", "--query=-x marks", "--source", "tool", "--yolo"]);
  });

  it("picks hermesCommand, then command, then hermes; joins toolset arrays", () => {
    expect(hermesCommandOf(config({ hermesCommand: "/opt/hermes", command: "other" }))).toBe("/opt/hermes");
    expect(hermesCommandOf(config({ command: "h2" }))).toBe("h2");
    expect(hermesCommandOf(config({}))).toBe("hermes");
    expect(toolsetsArg(["web", "skills"])).toBe("web,skills");
    expect(toolsetsArg(undefined)).toBeNull();
  });

  it("recognises Hermes' unknown-session message", () => {
    expect(isUnknownSessionFailure("Session not found: 20260101_000000_abcdef\nUse a session ID from a previous CLI run")).toBe(true);
    expect(isUnknownSessionFailure("RuntimeError: boom")).toBe(false);
  });
});

describe("hermes_local config", () => {
  const problems = (raw: unknown) => hermesLocalAdapter.validateConfig(raw).map((p) => `${p.path}: ${p.message}`).join("\n");

  it("applies Paperclip's defaults", () => {
    expect(config({})).toMatchObject({ timeoutSec: 300, graceSec: 10, persistSession: true, quiet: true, verbose: false, extraArgs: [], env: {} });
    expect(hermesLocalAdapter.maxRunSeconds({})).toBe(2 * 310);
  });

  it("rejects what cannot be passed safely or sensibly", () => {
    expect(problems({ extraArgs: "--checkpoints" })).toContain("extraArgs must be an array of strings");
    expect(problems({ toolsets: "web;rm" })).toContain("toolsets must be");
    expect(problems({ maxTurns: 0 })).toContain("maxTurns");
    expect(problems({ provider: "open router" })).toContain("provider must be a Hermes provider name");
    expect(problems({ hermesCommand: "" })).toContain("must not be empty");
    expect(problems({ model: "anthropic/claude-sonnet-4", toolsets: ["web"], maxTurns: 3 })).toBe("");
  });
});

describe("hermes_local testEnvironment", () => {
  const fakeHermes = path.resolve("tests/fixtures/fake-hermes.mjs");
  const run = async (cfg: Record<string, unknown>) => {
    fs.chmodSync(fakeHermes, 0o755);
    const r = await testHermesEnvironment({ companyId: "c", adapterType: "hermes_local", config: cfg });
    return { status: r.status, codes: r.checks.map((c) => `${c.code}:${c.level}`) };
  };

  it("passes with the CLI, a model and a key in env", async () => {
    expect(await run({ hermesCommand: fakeHermes, cwd: tmp, model: "m", env: { OPENROUTER_API_KEY: "sk-x" } })).toEqual({
      status: "pass",
      codes: ["hermes_cwd_valid:info", "hermes_cli_found:info", "hermes_model_configured:info", "hermes_api_keys_found:info"],
    });
  });

  it("fails without the CLI and warns without any key", async () => {
    const home = fs.mkdtempSync(path.join(tmp, "home-"));
    const r = await run({ hermesCommand: "no-such-hermes-xyz", env: { HOME: home } });
    expect(r.status).toBe("fail");
    expect(r.codes).toEqual(["hermes_cwd_default:info", "hermes_cli_not_found:error", "hermes_configured_default_model:info", "hermes_no_api_keys:warn"]);
    const warnOnly = await run({ command: fakeHermes, env: { HOME: home } });
    expect(warnOnly.status).toBe("warn");
  });

  it("counts Hermes' own .env as configured credentials", async () => {
    const hermesHome = fs.mkdtempSync(path.join(tmp, "hh-"));
    fs.writeFileSync(path.join(hermesHome, ".env"), "");
    expect((await run({ hermesCommand: fakeHermes, env: { HERMES_HOME: hermesHome } })).codes).toContain("hermes_api_keys_found:info");
  });
});
