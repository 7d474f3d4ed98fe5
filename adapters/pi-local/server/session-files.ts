/**
 * Pi keeps a conversation in one JSONL file and resumes it when given the same `--session <file>`
 * again, so the stored session is that file's path. Files live per agent in `<agent home>/.pi-sessions/`
 * (the agent's home under the data directory, else its cwd), named by a fresh id, so agents never
 * share or overwrite each other's conversations.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { AdapterExecutionContext, AdapterSessionCodec } from "../../types.js";

export const PI_SESSION_DIR_NAME = ".pi-sessions";

/** Where this agent's session files live. */
export function piSessionDir(ctx: Pick<AdapterExecutionContext, "context">, cwd: string): string {
  const workspace = (ctx.context.paperclipWorkspace ?? {}) as Record<string, unknown>;
  const home = typeof workspace.agentHome === "string" && path.isAbsolute(workspace.agentHome) ? workspace.agentHome : cwd;
  return path.join(home, PI_SESSION_DIR_NAME);
}

/** A path for a new conversation (the file itself is created by Pi). */
export function newPiSessionFile(dir: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return path.join(dir, `${randomUUID()}.jsonl`);
}

/** Only absolute `.jsonl` paths count as a stored Pi session; anything else is ignored. */
function asSessionFile(v: unknown): string | null {
  return typeof v === "string" && path.isAbsolute(v) && v.endsWith(".jsonl") && !v.includes("\0") ? v : null;
}

/** The session file the run should resume, as stored by the previous run of this task. */
export function storedPiSessionFile(ctx: Pick<AdapterExecutionContext, "runtime">): string | null {
  return asSessionFile(ctx.runtime.sessionParams?.sessionFile) ?? asSessionFile(ctx.runtime.sessionParams?.sessionId) ?? asSessionFile(ctx.runtime.sessionId);
}

export function sessionFileExists(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The short name shown for a session: the file's id without directory or extension. */
export function piSessionDisplayId(file: string): string {
  return path.basename(file, ".jsonl");
}

/** `{sessionId: <file>}` (with `sessionFile` accepted on the way in); displayed as the file's id. */
export const piSessionCodec: AdapterSessionCodec = {
  deserialize(raw) {
    const r = raw && typeof raw === "object" ? (raw as Record<string, unknown>) : {};
    const file = asSessionFile(r.sessionFile) ?? asSessionFile(r.sessionId) ?? asSessionFile(r.session_id);
    return file ? { sessionId: file } : null;
  },
  serialize(params) {
    const file = asSessionFile(params?.sessionFile) ?? asSessionFile(params?.sessionId);
    return file ? { sessionId: file } : null;
  },
  getDisplayId(params) {
    const file = asSessionFile(params?.sessionId);
    return file ? piSessionDisplayId(file) : null;
  },
};
