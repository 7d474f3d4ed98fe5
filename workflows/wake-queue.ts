/**
 * The agent's wake queue as pure, deterministic data + functions. The agent workflow is a thin shell
 * around this module: it owns one `WakeQueue` value and replaces it with the results of these
 * functions. No I/O, no clock, no randomness — so it is unit-tested without Temporal and is safe
 * inside workflow code.
 */

export const MAX_CONCURRENT_RUNS_DEFAULT = 1;
export const MAX_CONCURRENT_RUNS_LIMIT = 10;
/** Idempotency keys remembered per agent (carried across continue-as-new). */
export const RECENT_IDEMPOTENCY_KEYS = 500;

/** A run that has been recorded as `queued` and waits for a concurrency slot. */
export interface QueuedRun {
  runId: string;
  /** Coalescing scope: wakes with the same task key merge into one queued run. `null` = no task. */
  taskKey: string | null;
  reason: string | null;
}

export interface WakeQueue {
  /** FIFO: the order wakes were admitted is the order runs start. */
  queued: QueuedRun[];
  /** Run ids whose run workflow has been started and has not finished. */
  running: string[];
  maxConcurrentRuns: number;
  /** [idempotencyKey, runId] pairs, newest last; bounded ring. */
  recentIdempotencyKeys: Array<[string, string]>;
}

export interface WakeCandidate {
  taskKey: string | null;
  reason: string | null;
  idempotencyKey: string | null;
}

export type AdmissionDecision =
  | { kind: "new"; runId: string }
  | { kind: "coalesced"; runId: string }
  | { kind: "duplicate"; runId: string };

export function clampConcurrency(value: unknown): number {
  const n = typeof value === "number" && Number.isFinite(value) ? Math.floor(value) : MAX_CONCURRENT_RUNS_DEFAULT;
  return Math.min(MAX_CONCURRENT_RUNS_LIMIT, Math.max(1, n));
}

export function emptyQueue(maxConcurrentRuns: unknown = MAX_CONCURRENT_RUNS_DEFAULT): WakeQueue {
  return { queued: [], running: [], maxConcurrentRuns: clampConcurrency(maxConcurrentRuns), recentIdempotencyKeys: [] };
}

/**
 * Decides what a wake becomes, without changing the queue:
 * - an idempotency key seen before → the run it produced (`duplicate`);
 * - a queued, not-yet-started run with the same task key → merge into it (`coalesced`);
 *   a *running* run is never a merge target: its prompt is already built, so the wake needs a run of its own;
 * - otherwise a new run with `proposedRunId`.
 */
export function decideAdmission(q: WakeQueue, wake: WakeCandidate, proposedRunId: string): AdmissionDecision {
  if (wake.idempotencyKey) {
    const seen = q.recentIdempotencyKeys.find(([key]) => key === wake.idempotencyKey);
    if (seen) return { kind: "duplicate", runId: seen[1] };
  }
  const sameScope = q.queued.find((r) => r.taskKey === wake.taskKey);
  if (sameScope) return { kind: "coalesced", runId: sameScope.runId };
  return { kind: "new", runId: proposedRunId };
}

/**
 * A timer tick while the agent is busy adds nothing: the agent will wake anyway. It merges into the
 * oldest queued run, else into a running one, so a heartbeat longer than its interval never piles
 * up runs. Only an idle agent gets a new run from its timer.
 */
export function decideTimerAdmission(q: WakeQueue, proposedRunId: string): AdmissionDecision {
  const target = q.queued[0]?.runId ?? q.running[0];
  return target ? { kind: "coalesced", runId: target } : { kind: "new", runId: proposedRunId };
}

/** Applies a decision that has been durably recorded. */
export function applyAdmission(q: WakeQueue, wake: WakeCandidate, decision: AdmissionDecision): WakeQueue {
  let next = q;
  if (decision.kind === "new" && !q.queued.some((r) => r.runId === decision.runId)) {
    next = { ...next, queued: [...next.queued, { runId: decision.runId, taskKey: wake.taskKey, reason: wake.reason }] };
  }
  if (wake.idempotencyKey && decision.kind !== "duplicate") next = rememberKey(next, wake.idempotencyKey, decision.runId);
  return next;
}

function rememberKey(q: WakeQueue, key: string, runId: string): WakeQueue {
  const keys = [...q.recentIdempotencyKeys.filter(([k]) => k !== key), [key, runId] as [string, string]];
  return { ...q, recentIdempotencyKeys: keys.slice(-RECENT_IDEMPOTENCY_KEYS) };
}

/** The next run to start, if a concurrency slot is free. */
export function nextToStart(q: WakeQueue): QueuedRun | undefined {
  return q.running.length < q.maxConcurrentRuns ? q.queued[0] : undefined;
}

export function markStarted(q: WakeQueue, runId: string): WakeQueue {
  if (!q.queued.some((r) => r.runId === runId)) return q;
  return { ...q, queued: q.queued.filter((r) => r.runId !== runId), running: [...q.running, runId] };
}

export function markFinished(q: WakeQueue, runId: string): WakeQueue {
  return { ...q, running: q.running.filter((id) => id !== runId) };
}

/** Removes a queued run that will never start (cancelled before it got a slot). */
export function dropQueued(q: WakeQueue, runId: string): WakeQueue {
  return { ...q, queued: q.queued.filter((r) => r.runId !== runId) };
}

export function withConcurrency(q: WakeQueue, maxConcurrentRuns: unknown): WakeQueue {
  return { ...q, maxConcurrentRuns: clampConcurrency(maxConcurrentRuns) };
}

export function isIdle(q: WakeQueue): boolean {
  return q.running.length === 0 && q.queued.length === 0;
}
