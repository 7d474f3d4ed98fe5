/**
 * Reads an adapter package from disk the way Paperclip's plugin loader does: where its directory is,
 * which file is its entry point, and which file is its UI parser — without running any of its code
 * (that happens only in the isolated host, adapters/external/host.mjs).
 *
 * The UI parser is served to browsers, so its file must resolve inside the package directory (a `..`
 * or a symlink pointing elsewhere could otherwise publish any file of the server).
 */
import fs from "node:fs";
import path from "node:path";
import { AdapterPackageError } from "./errors.js";
import type { AdapterPluginRecord } from "./plugin-store.js";

/** The only UI parser contract this server speaks (Paperclip's "1.0.0"). */
export const SUPPORTED_UI_PARSER_MAJOR = "1";

export interface PackageInfo {
  /** Real path of the package directory. */
  dir: string;
  packageName: string;
  version: string | undefined;
  /** Absolute path of the ESM entry that exports `createServerAdapter`. */
  entryPath: string;
  /** Absolute path of the UI parser inside the package, when it declares one. */
  uiParserPath: string | null;
  /** `paperclip.adapterUiParser`, when present. */
  uiParserContract: string | null;
}

export function packageDirFor(record: Pick<AdapterPluginRecord, "packageName" | "localPath">, pluginsDir: string): string {
  return record.localPath ?? path.join(pluginsDir, "node_modules", ...record.packageName.split("/"));
}

type ExportTarget = string | { [condition: string]: ExportTarget } | null | undefined;

/** A conditional export → its path: `import`, then `default`, then `node`, one object level at a time. */
function pickTarget(target: ExportTarget): string | undefined {
  if (typeof target === "string") return target;
  if (!target || typeof target !== "object" || Array.isArray(target)) return undefined;
  for (const condition of ["import", "default", "node"]) {
    const picked = pickTarget(target[condition]);
    if (picked) return picked;
  }
  return undefined;
}

function subpathExport(exportsField: unknown, subpath: string): ExportTarget {
  if (typeof exportsField === "string") return subpath === "." ? exportsField : undefined;
  if (!exportsField || typeof exportsField !== "object" || Array.isArray(exportsField)) return undefined;
  return (exportsField as Record<string, ExportTarget>)[subpath];
}

/** Paperclip's order: `exports["."]` (string, or `.import ?? .default`), else `main`, else `index.js`. */
export function entryRelativePath(pkg: Record<string, unknown>): string {
  const fromExports = pickTarget(subpathExport(pkg.exports, "."));
  if (fromExports) return fromExports;
  if (typeof pkg.main === "string" && pkg.main) return pkg.main;
  return "index.js";
}

function contractOf(pkg: Record<string, unknown>): string | null {
  const paperclip = pkg.paperclip;
  if (!paperclip || typeof paperclip !== "object") return null;
  const value = (paperclip as Record<string, unknown>).adapterUiParser;
  return typeof value === "string" || typeof value === "number" ? String(value) : null;
}

export function uiParserMajor(contract: string): string {
  return contract.trim().replace(/^[v^~=]+/, "").split(".")[0] ?? "";
}

/** `file` resolved inside `dir` (both real paths), or null when it escapes or does not exist. */
export function resolveInside(dir: string, relative: string): string | null {
  let real: string;
  try {
    real = fs.realpathSync(path.resolve(dir, relative));
  } catch {
    return null;
  }
  if (!real.startsWith(dir + path.sep)) return null;
  try {
    return fs.statSync(real).isFile() ? real : null;
  } catch {
    return null;
  }
}

export function readPackageJson(dir: string): Record<string, unknown> {
  const manifest = path.join(dir, "package.json");
  if (!fs.existsSync(manifest)) throw new AdapterPackageError("adapter_package_json_missing", 422, `No package.json in ${dir}: an adapter package needs one (name, exports["."] → the file exporting createServerAdapter)`);
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(manifest, "utf8"));
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not a JSON object");
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new AdapterPackageError("adapter_package_json_invalid", 422, `${manifest} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Everything the loader needs to know about a package directory. `strictUiParser` (install time)
 * refuses a parser of another contract major; at serve time such a parser is simply not offered.
 */
export function readPackageInfo(packageDir: string, fallbackName: string, opts: { strictUiParser: boolean }): PackageInfo {
  let dir: string;
  try {
    dir = fs.realpathSync(packageDir);
    if (!fs.statSync(dir).isDirectory()) throw new Error("not a directory");
  } catch {
    throw new AdapterPackageError("adapter_path_not_found", 422, `Adapter package directory ${packageDir} does not exist or is not a directory`);
  }
  const pkg = readPackageJson(dir);
  const packageName = typeof pkg.name === "string" && pkg.name ? pkg.name : fallbackName;
  const entryRel = entryRelativePath(pkg);
  const entryPath = path.resolve(dir, entryRel);
  if (!fs.existsSync(entryPath)) {
    throw new AdapterPackageError("adapter_entry_missing", 422, `Package "${packageName}" declares entry ${entryRel}, but ${entryPath} does not exist (was it built?)`);
  }

  const contract = contractOf(pkg);
  const parserRel = pickTarget(subpathExport(pkg.exports, "./ui-parser"));
  let uiParserPath: string | null = null;
  if (parserRel) {
    const major = contract === null ? SUPPORTED_UI_PARSER_MAJOR : uiParserMajor(contract);
    if (major !== SUPPORTED_UI_PARSER_MAJOR) {
      if (opts.strictUiParser) {
        throw new AdapterPackageError("adapter_ui_parser_unsupported", 422, `Package "${packageName}" declares UI parser contract ${contract}, but this server supports only ${SUPPORTED_UI_PARSER_MAJOR}.x (paperclip.adapterUiParser "1.0.0")`);
      }
    } else {
      uiParserPath = resolveInside(dir, parserRel);
      if (!uiParserPath && opts.strictUiParser) {
        throw new AdapterPackageError("adapter_ui_parser_outside_package", 422, `Package "${packageName}" exports ./ui-parser as ${parserRel}, which does not resolve to a file inside ${dir}`);
      }
    }
  }
  return { dir, packageName, version: typeof pkg.version === "string" ? pkg.version : undefined, entryPath, uiParserPath, uiParserContract: contract };
}

/** The UI parser's source, capped at 2 MB (a parser is a small self-contained script). */
export function readUiParserSource(info: PackageInfo): string | null {
  if (!info.uiParserPath) return null;
  const st = fs.statSync(info.uiParserPath);
  if (st.size > 2 * 1024 * 1024) return null;
  return fs.readFileSync(info.uiParserPath, "utf8");
}
