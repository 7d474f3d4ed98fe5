/**
 * Installs adapter packages from the npm registry into `<home>/adapter-plugins/` (Paperclip's layout:
 * a private managed project whose `node_modules` holds the packages). Unlike Paperclip's
 * `npm install --no-save`, installs are saved in that private package.json: npm ≥ 7 prunes every
 * unsaved package on the next install or uninstall, so a second adapter would silently remove the
 * first. Only registry package names are
 * accepted — never a URL, a git spec, a path or anything that could be read as an npm flag — npm runs
 * with argv only, an allow-listed env and a hard timeout, so a request can neither inject options
 * nor hang the API.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { findOnPath } from "../../temporal/cli-binary.js";
import { composeChildEnv } from "../utils/env.js";
import { AdapterPackageError } from "./errors.js";

export const NPM_TIMEOUT_MS = 120_000;

/** npm's naming rules (validate-npm-package-name): lowercase, URL-safe, optional scope, ≤ 214 chars. */
const NPM_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;
/** A version, range or dist-tag: `1.2.3`, `^1.2`, `>=1 <2`, `latest`, `next`. */
const NPM_VERSION = /^[0-9A-Za-z^~<>=*|.+ -]{1,64}$/;

export function isValidNpmPackageName(name: string): boolean {
  return name.length > 0 && name.length <= 214 && NPM_NAME.test(name) && name !== "node_modules" && name !== "favicon.ico";
}

export function isValidNpmVersion(version: string): boolean {
  return NPM_VERSION.test(version) && !version.startsWith("-") && version.trim() === version;
}

/** `@scope/pkg@1.2.3` → name + version (Paperclip splits the suffix the same way); an explicit version wins. */
export function splitPackageSpec(spec: string, explicitVersion?: string): { name: string; version: string | undefined } {
  const at = spec.lastIndexOf("@");
  if (at > 0) return { name: spec.slice(0, at), version: explicitVersion ?? spec.slice(at + 1) };
  return { name: spec, version: explicitVersion };
}

export function assertInstallableSpec(name: string, version: string | undefined): void {
  if (!isValidNpmPackageName(name)) {
    throw new AdapterPackageError("adapter_invalid_package_name", 422, `"${name.slice(0, 100)}" is not a valid npm package name (lowercase letters, digits, - . _ ~, optionally @scope/); to install from a directory, pass isLocalPath: true with an absolute path`);
  }
  if (version !== undefined && !isValidNpmVersion(version)) {
    throw new AdapterPackageError("adapter_invalid_version", 422, `"${version.slice(0, 100)}" is not a valid npm version, range or tag`);
  }
}

/** The managed project: created on first use, private, never published. */
export function ensurePluginsProject(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const manifest = path.join(dir, "package.json");
  if (!fs.existsSync(manifest)) {
    const body = { name: "switchboard-adapter-plugins", version: "0.0.0", private: true, description: "External adapter packages installed by Switchboard" };
    fs.writeFileSync(manifest, JSON.stringify(body, null, 2) + "\n", { mode: 0o600 });
  }
}

interface NpmRun {
  code: number | null;
  timedOut: boolean;
  stderr: string;
}

function runNpm(dir: string, args: string[]): Promise<NpmRun> {
  const env = composeChildEnv(undefined, { npm_config_update_notifier: "false" });
  const npm = findOnPath("npm", env.PATH);
  if (!npm) {
    throw new AdapterPackageError("adapter_npm_unavailable", 502, "npm is not on the server's PATH, so packages cannot be installed from the registry; install from a local directory instead (isLocalPath: true)");
  }
  return new Promise((resolve) => {
    const child = spawn(npm, args, { cwd: dir, env, shell: false, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    let timedOut = false;
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-16_000);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, NPM_TIMEOUT_MS);
    const finish = (code: number | null) => {
      clearTimeout(timer);
      resolve({ code, timedOut, stderr });
    };
    child.once("error", (err) => {
      stderr += `\n${err.message}`;
      finish(null);
    });
    child.once("close", (code) => finish(code));
  });
}

/** npm's last meaningful stderr line, which usually names the problem (`npm error 404 Not Found …`). */
export function lastStderrLine(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !/^npm (error|ERR!) (A complete log|Log files|$)/.test(l));
  const errors = lines.filter((l) => !/^npm warn/i.test(l));
  return (errors[errors.length - 1] ?? lines[lines.length - 1] ?? "no output").slice(0, 500);
}

export async function npmInstall(dir: string, name: string, version: string | undefined): Promise<void> {
  assertInstallableSpec(name, version);
  ensurePluginsProject(dir);
  const spec = version ? `${name}@${version}` : name;
  const run = await runNpm(dir, ["install", "--save", "--no-audit", "--no-fund", spec]);
  if (run.timedOut) throw new AdapterPackageError("adapter_npm_install_failed", 502, `npm install ${spec} did not finish within ${NPM_TIMEOUT_MS / 1000}s`);
  if (run.code !== 0) {
    // A package or version that does not exist is the caller's mistake; anything else is npm's or the network's.
    const clientFault = /E404|ETARGET|EINVALIDPACKAGENAME|EINVALIDTAGNAME|404 Not Found/.test(run.stderr);
    throw new AdapterPackageError("adapter_npm_install_failed", clientFault ? 422 : 502, `npm install ${spec} failed: ${lastStderrLine(run.stderr)}`);
  }
}

/** Best effort: a package that is already gone is fine. Returns npm's complaint, if any. */
export async function npmUninstall(dir: string, name: string): Promise<string | null> {
  if (!isValidNpmPackageName(name) || !fs.existsSync(path.join(dir, "package.json"))) return null;
  try {
    const run = await runNpm(dir, ["uninstall", "--save", "--no-audit", "--no-fund", name]);
    return run.code === 0 ? null : lastStderrLine(run.stderr);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
