/** Who sends the fuzz requests and whose rows they aim at. */
import type { SeededCompany } from "./fuzz-seed.js";

export interface FuzzContext {
  /** `board`, `agentA→B`, `garbageBearer` … (also part of every case's seed). */
  identity: string;
  /** Sent with every request (the caller's credentials). */
  headers: Record<string, string>;
  /** Ids that fill path parameters. */
  pathIds: SeededCompany;
  /** Ids that fill uuid fields of plausible bodies. */
  bodyIds: SeededCompany;
  /** Another company's ids, for "this body names a foreign row" cases. */
  foreignIds?: SeededCompany;
  /** The caller's own company, for "own path, foreign body" cases. */
  ownPathIds?: SeededCompany;
  /** X-Paperclip-Run-Id values to try (agents only). */
  runHeaderValues?: Record<string, string>;
}

export interface FuzzCase {
  route: string;
  category: string;
  label: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}
