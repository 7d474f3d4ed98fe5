/**
 * The instance's own key material: the HS256 secret of run tokens and the secrets master key.
 * Each comes from env when set, otherwise from a 0600 file under the data directory that is created
 * on first start — so a restart keeps tokens valid and stored secrets readable, and the database
 * alone can never decrypt a secret.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { SwitchboardConfig } from "./config.js";
import { ConfigError } from "./config.js";

export interface InstanceKeys {
  /** HS256 key of run tokens. */
  agentJwtSecret: Uint8Array;
  /** AES-256-GCM key of company secrets (32 bytes). */
  secretsMasterKey: Buffer;
}

export function loadInstanceKeys(config: Pick<SwitchboardConfig, "home" | "auth" | "secrets">): InstanceKeys {
  const jwt = config.auth.agentJwtSecret ?? readOrCreateKeyFile(path.join(config.home, "secrets", "agent-jwt.key"));
  const master = config.secrets.masterKey ?? readOrCreateKeyFile(config.secrets.masterKeyFile);
  return { agentJwtSecret: new TextEncoder().encode(jwt), secretsMasterKey: parseMasterKey(master) };
}

/** Paperclip accepts 64 hex chars, base64 of 32 bytes, or 32 raw characters. */
export function parseMasterKey(raw: string): Buffer {
  const value = raw.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, "hex");
  const b64 = /^[A-Za-z0-9+/_-]+={0,2}$/.test(value) ? Buffer.from(value, "base64") : null;
  if (b64 && b64.length === 32) return b64;
  if (Buffer.byteLength(value, "utf8") === 32) return Buffer.from(value, "utf8");
  throw new ConfigError("PAPERCLIP_SECRETS_MASTER_KEY must be 32 bytes: 64 hex chars, base64 of 32 bytes, or 32 characters");
}

function readOrCreateKeyFile(file: string): string {
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const value = randomBytes(32).toString("hex");
  try {
    // `wx`: when two processes start at once, one creates the file and the other reads it.
    fs.writeFileSync(file, value + "\n", { mode: 0o600, flag: "wx" });
    return value;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return fs.readFileSync(file, "utf8").trim();
    throw err;
  }
}
