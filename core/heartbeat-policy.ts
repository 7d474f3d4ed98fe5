/**
 * `agents.runtime_config.heartbeat`, as the core Paperclip build reads it: timer on by default but
 * only with intervalSec > 0; one `wakeOnDemand` flag (first defined of its aliases) gates every
 * non-timer source; concurrency 1 by default, at most 10.
 */
import { clampConcurrency } from "../workflows/wake-queue.js";

export interface HeartbeatPolicy {
  /** Timer wakes allowed at all. */
  enabled: boolean;
  /** Timer period in seconds; 0 = no timer. */
  intervalSec: number;
  /** Non-timer wakes (assignment, on_demand, automation) allowed. */
  wakeOnDemand: boolean;
  maxConcurrentRuns: number;
}

const WAKE_ON_DEMAND_ALIASES = ["wakeOnDemand", "wakeOnAssignment", "wakeOnOnDemand", "wakeOnAutomation"] as const;

export function parseHeartbeatPolicy(runtimeConfig: unknown): HeartbeatPolicy {
  const hb = (runtimeConfig && typeof runtimeConfig === "object" ? (runtimeConfig as Record<string, unknown>).heartbeat : undefined) ?? {};
  const h = (typeof hb === "object" && hb !== null ? hb : {}) as Record<string, unknown>;
  const interval = typeof h.intervalSec === "number" && Number.isFinite(h.intervalSec) ? Math.max(0, h.intervalSec) : 0;
  const alias = WAKE_ON_DEMAND_ALIASES.map((k) => h[k]).find((v) => typeof v === "boolean");
  return {
    enabled: typeof h.enabled === "boolean" ? h.enabled : true,
    intervalSec: interval,
    wakeOnDemand: typeof alias === "boolean" ? alias : true,
    maxConcurrentRuns: clampConcurrency(h.maxConcurrentRuns),
  };
}

/** True when the agent's workflow must run even without wakeups: it owns a timer. */
export function hasTimer(policy: HeartbeatPolicy): boolean {
  return policy.enabled && policy.intervalSec > 0;
}
