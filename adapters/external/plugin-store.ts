/**
 * Which external adapter packages are installed, in Paperclip's own file format so a hand-edited
 * `adapter-plugins.json` from a Paperclip home works here too: `<home>/adapter-plugins.json` is a JSON
 * array of records upserted by `type`, and `<home>/adapter-settings.json` holds `{disabledTypes}`.
 *
 * Unlike Paperclip, reads go through a cache keyed by the file's mtime and size, so an install made
 * by the API process is seen by a worker process sharing the same home without a restart. Writes are
 * atomic (temp file + rename) and private (0600).
 */
import fs from "node:fs";
import path from "node:path";

export interface AdapterPluginRecord {
  packageName: string;
  /** Absolute directory of a package installed from a local path (no npm involved). */
  localPath?: string;
  version?: string;
  type: string;
  /** ISO time. */
  installedAt: string;
  disabled?: boolean;
}

export interface AdapterSettings {
  disabledTypes: string[];
}

export const PLUGINS_FILE = "adapter-plugins.json";
export const SETTINGS_FILE = "adapter-settings.json";
export const PLUGINS_DIR = "adapter-plugins";

interface CachedFile<T> {
  stamp: string;
  value: T;
}

const cache = new Map<string, CachedFile<unknown>>();

function stampOf(file: string): string | null {
  try {
    const st = fs.statSync(file);
    return `${st.mtimeMs}:${st.size}:${st.ino}`;
  } catch {
    return null;
  }
}

/** Reads and parses a JSON file through the mtime cache; a missing or unreadable file gives `fallback`. */
function readCached<T>(file: string, parse: (raw: unknown) => T, fallback: T): T {
  const stamp = stampOf(file);
  if (stamp === null) {
    cache.delete(file);
    return fallback;
  }
  const hit = cache.get(file);
  if (hit && hit.stamp === stamp) return hit.value as T;
  let value = fallback;
  try {
    value = parse(JSON.parse(fs.readFileSync(file, "utf8")));
  } catch {
    // A half-written or hand-broken file reads as empty rather than taking the server down.
    value = fallback;
  }
  cache.set(file, { stamp, value });
  return value;
}

function writeAtomic(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + "\n", { mode: 0o600 });
  fs.renameSync(tmp, file);
  cache.delete(file);
}

const str = (v: unknown) => (typeof v === "string" && v.length > 0 ? v : undefined);

/** Keeps only well-formed records (a hand edit may contain anything). */
function parseRecords(raw: unknown): AdapterPluginRecord[] {
  if (!Array.isArray(raw)) return [];
  const out: AdapterPluginRecord[] = [];
  for (const item of raw) {
    if (!item || typeof item !== "object") continue;
    const r = item as Record<string, unknown>;
    const packageName = str(r.packageName);
    const type = str(r.type);
    if (!packageName || !type) continue;
    const record: AdapterPluginRecord = { packageName, type, installedAt: str(r.installedAt) ?? new Date(0).toISOString() };
    const localPath = str(r.localPath);
    if (localPath) record.localPath = localPath;
    const version = str(r.version);
    if (version) record.version = version;
    if (r.disabled === true) record.disabled = true;
    out.push(record);
  }
  return out;
}

function parseSettings(raw: unknown): AdapterSettings {
  const list = raw && typeof raw === "object" ? (raw as Record<string, unknown>).disabledTypes : undefined;
  return { disabledTypes: Array.isArray(list) ? list.filter((t): t is string => typeof t === "string") : [] };
}

export class AdapterPluginStore {
  constructor(readonly home: string) {}

  get pluginsFile(): string {
    return path.join(this.home, PLUGINS_FILE);
  }

  get settingsFile(): string {
    return path.join(this.home, SETTINGS_FILE);
  }

  /** The managed npm project packages are installed into. */
  get pluginsDir(): string {
    return path.join(this.home, PLUGINS_DIR);
  }

  list(): AdapterPluginRecord[] {
    return readCached(this.pluginsFile, parseRecords, []);
  }

  get(type: string): AdapterPluginRecord | undefined {
    return this.list().find((r) => r.type === type);
  }

  /** Adds or replaces the record of `record.type` (Paperclip's upsert rule). */
  upsert(record: AdapterPluginRecord): void {
    const others = this.list().filter((r) => r.type !== record.type);
    writeAtomic(this.pluginsFile, [...others, record]);
  }

  update(type: string, patch: Partial<Omit<AdapterPluginRecord, "type">>): AdapterPluginRecord | undefined {
    const current = this.get(type);
    if (!current) return undefined;
    const next: AdapterPluginRecord = { ...current, ...patch };
    if (!next.disabled) delete next.disabled;
    this.upsert(next);
    return next;
  }

  remove(type: string): boolean {
    const records = this.list();
    const rest = records.filter((r) => r.type !== type);
    if (rest.length === records.length) return false;
    writeAtomic(this.pluginsFile, rest);
    return true;
  }

  settings(): AdapterSettings {
    return readCached(this.settingsFile, parseSettings, { disabledTypes: [] });
  }

  setTypeDisabled(type: string, disabled: boolean): void {
    const current = this.settings().disabledTypes.filter((t) => t !== type);
    writeAtomic(this.settingsFile, { disabledTypes: disabled ? [...current, type] : current });
  }

  /** Disabled by the settings list or by the record's own flag (a Paperclip file may use either). */
  isDisabled(type: string): boolean {
    return this.settings().disabledTypes.includes(type) || this.get(type)?.disabled === true;
  }
}
