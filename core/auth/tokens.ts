/**
 * Bearer tokens shown once (agent keys `pcp_<48 hex>`, board keys `pcp_board_<48 hex>`, session
 * tokens) and stored only as their SHA-256 hex digest, so a database dump reveals no credential.
 */
import { createHash, randomBytes } from "node:crypto";

export const AGENT_KEY_PREFIX = "pcp_";
export const BOARD_KEY_PREFIX = "pcp_board_";

export function generateToken(prefix: string): string {
  return prefix + randomBytes(24).toString("hex");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
