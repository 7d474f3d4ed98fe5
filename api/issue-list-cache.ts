/**
 * Cache of issue-list pages (the JSON Postgres builds for `GET /api/companies/:id/issues`).
 *
 * A 500-row page is ~0.5 MB of JSON that costs Postgres milliseconds to build; boards and agents poll
 * the same few pages. Freshness without polling: each company has an in-memory version, bumped
 *  - when Postgres NOTIFYs `switchboard_issue_changes` (migration 0007: any committed issue or label
 *    change, from any API or worker process), and
 *  - synchronously, for every company, when this process answers a mutation — so a client that
 *    writes and then reads through the same server always sees its write.
 * A page is served only if it was built under the current version. A page built from a snapshot that
 * missed a commit is invalidated when that commit's notification arrives (it is sent after commit).
 * While the LISTEN connection is down nothing is cached, and a reconnect invalidates everything.
 */
import pg from "pg";

export const ISSUE_CHANGES_CHANNEL = "switchboard_issue_changes";
const MAX_ENTRIES = 256;
const MAX_TOTAL_BYTES = 64 * 1024 * 1024;
const RECONNECT_MS = 1_000;

interface Entry {
  companyId: string;
  version: number;
  json: string;
}

export class IssueListCache {
  private readonly entries = new Map<string, Entry>();
  private readonly versions = new Map<string, number>();
  /** Bumped for "every company" (a local mutation, a reconnect). */
  private epoch = 0;
  private totalBytes = 0;
  private client: pg.Client | null = null;
  private listening = false;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly databaseUrl: string) {}

  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.listening = false;
    await this.client?.end().catch(() => undefined);
    this.client = null;
  }

  private versionOf(companyId: string): number {
    return this.epoch * 1_000_000_000 + (this.versions.get(companyId) ?? 0);
  }

  /** The page to serve plus a token to store a freshly built one under, or `null` when caching is off. */
  lookup(companyId: string, key: string): { hit: string | null; version: number } | null {
    if (!this.listening) return null;
    const version = this.versionOf(companyId);
    const entry = this.entries.get(key);
    if (entry && entry.version === version) {
      // Map order is insertion order: re-insert to mark it recently used.
      this.entries.delete(key);
      this.entries.set(key, entry);
      return { hit: entry.json, version };
    }
    return { hit: null, version };
  }

  /** Stores a page built after `lookup` returned `version` (dropped if anything changed meanwhile). */
  store(companyId: string, key: string, version: number, json: string): void {
    if (!this.listening || version !== this.versionOf(companyId)) return;
    const old = this.entries.get(key);
    if (old) {
      this.totalBytes -= old.json.length;
      this.entries.delete(key);
    }
    this.entries.set(key, { companyId, version, json });
    this.totalBytes += json.length;
    for (const [k, e] of this.entries) {
      if (this.entries.size <= MAX_ENTRIES && this.totalBytes <= MAX_TOTAL_BYTES) break;
      this.entries.delete(k);
      this.totalBytes -= e.json.length;
    }
  }

  /** Called before this process answers any mutation. */
  invalidateAll(): void {
    this.epoch++;
    this.entries.clear();
    this.totalBytes = 0;
  }

  private bump(companyId: string): void {
    this.versions.set(companyId, (this.versions.get(companyId) ?? 0) + 1);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: `switchboard-issue-cache/${process.pid}` });
    this.client = client;
    let failed = false;
    const fail = () => {
      if (failed) return;
      failed = true;
      this.listening = false;
      this.invalidateAll();
      client.end().catch(() => undefined);
      if (!this.stopped) {
        this.retry = setTimeout(() => void this.connect(), RECONNECT_MS);
        this.retry.unref();
      }
    };
    client.on("error", fail);
    client.on("end", fail);
    client.on("notification", (msg) => {
      if (msg.channel === ISSUE_CHANGES_CHANNEL && msg.payload) this.bump(msg.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(ISSUE_CHANGES_CHANNEL)}`);
      // Changes committed while we were not listening are unknown: start from nothing.
      this.invalidateAll();
      this.listening = true;
    } catch {
      fail();
    }
  }
}
