/**
 * Install, reload and uninstall of external adapter packages (Paperclip's `POST /api/adapters/install`
 * and friends, minus the HTTP): fetch or locate the package, check it the way the plugin loader does
 * (package.json, entry, UI parser contract, `createServerAdapter()` returning a `type`), and record it
 * in the plugin store. Every refusal is an AdapterPackageError with a stable code and a 4xx/5xx status.
 */
import fs from "node:fs";
import path from "node:path";
import { AdapterPackageError } from "./errors.js";
import { describePackage, forgetDescribe, resolvePackage, type ExternalAdapterHome } from "./external-adapter.js";
import { npmInstall, npmUninstall, splitPackageSpec, assertInstallableSpec } from "./npm-installer.js";
import { packageDirFor, readPackageInfo } from "./package-info.js";
import type { AdapterPluginRecord } from "./plugin-store.js";
import type { ExternalAdapterMetadata } from "./result-validation.js";

export interface InstallRequest {
  /** An npm name (optionally `name@version`), or with `isLocalPath` an absolute directory. */
  packageName: string;
  version?: string | undefined;
  isLocalPath?: boolean | undefined;
}

export interface InstalledAdapter {
  record: AdapterPluginRecord;
  metadata: ExternalAdapterMetadata;
}

/** Adapter types are URL path segments and database keys: short, no spaces or slashes. */
const ADAPTER_TYPE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

function localPackageDir(given: string): string {
  if (!path.isAbsolute(given)) {
    throw new AdapterPackageError("adapter_path_not_absolute", 422, `Local adapter path must be absolute, got "${given.slice(0, 200)}"`);
  }
  const resolved = path.resolve(given);
  let isDir = false;
  try {
    isDir = fs.statSync(resolved).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new AdapterPackageError("adapter_path_not_found", 422, `Local adapter path ${resolved} does not exist or is not a directory`);
  return resolved;
}

async function checkPackage(dir: string, fallbackName: string, home: ExternalAdapterHome, isBuiltinType: (type: string) => boolean) {
  const info = readPackageInfo(dir, fallbackName, { strictUiParser: true });
  const metadata = await describePackage(info, home.agentApiUrl);
  if (!metadata.hasExecute) throw new AdapterPackageError("adapter_load_failed", 422, `createServerAdapter() of package "${info.packageName}" returned no execute() function`);
  if (!ADAPTER_TYPE.test(metadata.type)) {
    throw new AdapterPackageError("adapter_invalid_type", 422, `Package "${info.packageName}" declares type "${metadata.type.slice(0, 100)}"; a type is 1-100 letters, digits, _ . - (snake_case by convention)`);
  }
  if (isBuiltinType(metadata.type)) {
    throw new AdapterPackageError("adapter_type_conflict", 409, `Package "${info.packageName}" declares type "${metadata.type}", which is a built-in adapter type; overriding built-ins is not supported`);
  }
  return { info, metadata };
}

export async function installAdapterPackage(home: ExternalAdapterHome, req: InstallRequest, isBuiltinType: (type: string) => boolean): Promise<InstalledAdapter> {
  const { store } = home;
  if (req.isLocalPath) {
    const dir = localPackageDir(req.packageName);
    const { info, metadata } = await checkPackage(dir, path.basename(dir), home, isBuiltinType);
    const record: AdapterPluginRecord = { packageName: info.packageName, localPath: dir, type: metadata.type, installedAt: new Date().toISOString() };
    if (info.version) record.version = info.version;
    store.upsert(record);
    forgetDescribe(record.type);
    return { record, metadata };
  }

  const { name, version } = splitPackageSpec(req.packageName.trim(), req.version?.trim() || undefined);
  assertInstallableSpec(name, version);
  const wasInstalled = store.list().some((r) => r.packageName === name && !r.localPath);
  await npmInstall(store.pluginsDir, name, version);
  try {
    const { info, metadata } = await checkPackage(packageDirFor({ packageName: name }, store.pluginsDir), name, home, isBuiltinType);
    const record: AdapterPluginRecord = { packageName: name, type: metadata.type, installedAt: new Date().toISOString() };
    if (info.version) record.version = info.version;
    store.upsert(record);
    forgetDescribe(record.type);
    return { record, metadata };
  } catch (err) {
    // A package we just fetched and refused should not linger in node_modules.
    if (!wasInstalled) await npmUninstall(store.pluginsDir, name);
    throw err;
  }
}

/** Re-imports the package (fresh host, no cache) and re-reads its version from disk. */
export async function reloadAdapterPackage(home: ExternalAdapterHome, record: AdapterPluginRecord): Promise<InstalledAdapter> {
  forgetDescribe(record.type);
  const info = resolvePackage(record, home.store);
  const metadata = await describePackage(info, home.agentApiUrl);
  if (metadata.type !== record.type) {
    throw new AdapterPackageError("adapter_type_conflict", 409, `Package "${info.packageName}" now declares type "${metadata.type}" instead of "${record.type}"; install it again to register the new type`);
  }
  const updated = info.version && info.version !== record.version ? (home.store.update(record.type, { version: info.version }) ?? record) : record;
  return { record: updated, metadata };
}

/** Removes the record (and the npm copy; a local directory is never touched). Returns npm's complaint, if any. */
export async function uninstallAdapterPackage(home: ExternalAdapterHome, record: AdapterPluginRecord): Promise<string | null> {
  home.store.remove(record.type);
  if (home.store.settings().disabledTypes.includes(record.type)) home.store.setTypeDisabled(record.type, false);
  forgetDescribe(record.type);
  const stillUsed = home.store.list().some((r) => r.packageName === record.packageName && !r.localPath);
  if (record.localPath || stillUsed) return null;
  return npmUninstall(home.store.pluginsDir, record.packageName);
}
