/**
 * What every built-in adapter derives from its zod config schema: the validator behind the 422 on
 * agent create / PATCH, the upper bound of one run, and the `{sessionId}` session codec most runtimes
 * need. One place, so adapters differ only where their runtimes do.
 */
import type { z } from "zod";
import type { AdapterConfigValidator, AdapterSessionCodec } from "../types.js";

export function schemaConfigValidator(schema: z.ZodType): AdapterConfigValidator {
  return (config) => {
    const parsed = schema.safeParse(config ?? {});
    return parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  };
}

/**
 * Seconds one run may take: (timeout + grace) per attempt; a config without a timeout (0) or one that
 * does not parse is bounded by a day, so a Temporal attempt never waits forever.
 */
export function schemaMaxRunSeconds(schema: z.ZodType<{ timeoutSec: number; graceSec: number }>, attempts = 1): (config: Record<string, unknown>) => number {
  return (config) => {
    const parsed = schema.safeParse(config ?? {});
    if (!parsed.success || parsed.data.timeoutSec === 0) return 24 * 3600;
    return attempts * (parsed.data.timeoutSec + Math.max(1, parsed.data.graceSec));
  };
}

/** Session codec for runtimes whose whole session state is one id; reads `sessionId` or `session_id`. */
export const sessionIdCodec: AdapterSessionCodec = {
  deserialize(raw) {
    if (!raw || typeof raw !== "object") return null;
    const r = raw as Record<string, unknown>;
    const id = r.sessionId ?? r.session_id;
    return typeof id === "string" && id ? { sessionId: id } : null;
  },
  serialize(params) {
    const id = params?.sessionId;
    return typeof id === "string" && id ? { sessionId: id } : null;
  },
  getDisplayId(params) {
    const id = params?.sessionId;
    return typeof id === "string" && id ? id : null;
  },
};
