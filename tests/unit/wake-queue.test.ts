/** The agent's wake queue as pure functions: admission, coalescing, idempotency and concurrency. */
import { describe, expect, it } from "vitest";
import {
  MAX_CONCURRENT_RUNS_LIMIT,
  RECENT_IDEMPOTENCY_KEYS,
  applyAdmission,
  clampConcurrency,
  decideAdmission,
  dropQueued,
  emptyQueue,
  isIdle,
  markFinished,
  markStarted,
  nextToStart,
  withConcurrency,
  type AdmissionDecision,
  type WakeCandidate,
  type WakeQueue,
} from "../../workflows/wake-queue.js";

const wake = (taskKey: string | null = null, idempotencyKey: string | null = null, reason: string | null = null): WakeCandidate => ({
  taskKey,
  reason,
  idempotencyKey,
});

/** Decide + apply, as the agent workflow does once the decision is recorded. */
function admit(q: WakeQueue, w: WakeCandidate, proposedRunId: string): { q: WakeQueue; decision: AdmissionDecision } {
  const decision = decideAdmission(q, w, proposedRunId);
  return { q: applyAdmission(q, w, decision), decision };
}

/** Starts every run that has a free slot, in order; returns the ids started. */
function startAll(q: WakeQueue): { q: WakeQueue; started: string[] } {
  const started: string[] = [];
  for (let next = nextToStart(q); next; next = nextToStart(q)) {
    q = markStarted(q, next.runId);
    started.push(next.runId);
  }
  return { q, started };
}

describe("concurrency limit", () => {
  it.each([
    [undefined, 1],
    [0, 1],
    [-5, 1],
    [1, 1],
    [3.7, 3],
    [10, 10],
    [11, MAX_CONCURRENT_RUNS_LIMIT],
    [Number.NaN, 1],
    [Number.POSITIVE_INFINITY, 1],
    ["4", 1],
    [null, 1],
  ])("clampConcurrency(%s) = %s", (input, expected) => {
    expect(clampConcurrency(input)).toBe(expected);
  });

  it("an empty queue uses the clamped limit and is idle", () => {
    expect(emptyQueue()).toEqual({ queued: [], running: [], maxConcurrentRuns: 1, recentIdempotencyKeys: [] });
    expect(emptyQueue(11).maxConcurrentRuns).toBe(10);
    expect(emptyQueue(0).maxConcurrentRuns).toBe(1);
    expect(isIdle(emptyQueue(3))).toBe(true);
  });

  it("withConcurrency changes the limit, clamped, and keeps the runs", () => {
    let q = admit(emptyQueue(1), wake("a"), "r1").q;
    q = withConcurrency(q, 50);
    expect(q.maxConcurrentRuns).toBe(10);
    expect(q.queued.map((r) => r.runId)).toEqual(["r1"]);
    expect(withConcurrency(q, 2.9).maxConcurrentRuns).toBe(2);
  });
});

describe("admission", () => {
  it("a first wake is a new run with the proposed id, queued with its task key and reason", () => {
    const { q, decision } = admit(emptyQueue(), wake("issue-1", null, "assigned"), "run-1");
    expect(decision).toEqual({ kind: "new", runId: "run-1" });
    expect(q.queued).toEqual([{ runId: "run-1", taskKey: "issue-1", reason: "assigned" }]);
    expect(q.running).toEqual([]);
    expect(isIdle(q)).toBe(false);
  });

  it("decideAdmission does not change the queue", () => {
    const q = admit(emptyQueue(), wake("k"), "run-1").q;
    const snapshot = structuredClone(q);
    decideAdmission(q, wake("other", "idem"), "run-2");
    expect(q).toEqual(snapshot);
  });

  it("a second wake for the same task while the first is still queued coalesces into it", () => {
    let q = admit(emptyQueue(), wake("issue-1"), "run-1").q;
    const second = admit(q, wake("issue-1", null, "comment"), "run-2");
    expect(second.decision).toEqual({ kind: "coalesced", runId: "run-1" });
    q = second.q;
    expect(q.queued.map((r) => r.runId)).toEqual(["run-1"]);
  });

  it("wakes for different tasks are separate runs", () => {
    let q = admit(emptyQueue(), wake("issue-1"), "run-1").q;
    const second = admit(q, wake("issue-2"), "run-2");
    expect(second.decision).toEqual({ kind: "new", runId: "run-2" });
    q = second.q;
    expect(q.queued.map((r) => r.runId)).toEqual(["run-1", "run-2"]);
  });

  it("wakes without a task coalesce with each other but not with a task-scoped run", () => {
    let q = admit(emptyQueue(), wake("issue-1"), "run-1").q;
    const noTask = admit(q, wake(null), "run-2");
    expect(noTask.decision).toEqual({ kind: "new", runId: "run-2" });
    q = noTask.q;
    expect(admit(q, wake(null), "run-3").decision).toEqual({ kind: "coalesced", runId: "run-2" });
    // …and a keyed wake does not merge into the task-less run either.
    const keyedAfterNull = admit(admit(emptyQueue(), wake(null), "n1").q, wake("issue-9"), "k1");
    expect(keyedAfterNull.decision).toEqual({ kind: "new", runId: "k1" });
  });

  it("a running run is never a merge target: a same-task wake after it started is a new run", () => {
    let q = admit(emptyQueue(), wake("issue-1"), "run-1").q;
    q = markStarted(q, "run-1");
    expect(q.running).toEqual(["run-1"]);
    expect(q.queued).toEqual([]);
    const after = admit(q, wake("issue-1"), "run-2");
    expect(after.decision).toEqual({ kind: "new", runId: "run-2" });
    expect(after.q.queued.map((r) => r.runId)).toEqual(["run-2"]);
    // The new one is queued behind the running one (limit 1), and now is the merge target itself.
    expect(nextToStart(after.q)).toBeUndefined();
    expect(admit(after.q, wake("issue-1"), "run-3").decision).toEqual({ kind: "coalesced", runId: "run-2" });
  });

  it("an idempotency key seen before is a duplicate of the original run, even after that run finished", () => {
    let q = admit(emptyQueue(), wake("issue-1", "idem-1"), "run-1").q;
    expect(q.recentIdempotencyKeys).toEqual([["idem-1", "run-1"]]);
    // Same key, different task: still a duplicate — the key wins over coalescing scope.
    expect(admit(q, wake("issue-2", "idem-1"), "run-2").decision).toEqual({ kind: "duplicate", runId: "run-1" });

    q = markStarted(q, "run-1");
    expect(admit(q, wake("issue-1", "idem-1"), "run-3").decision).toEqual({ kind: "duplicate", runId: "run-1" });
    q = markFinished(q, "run-1");
    expect(isIdle(q)).toBe(true);
    const again = admit(q, wake("issue-1", "idem-1"), "run-4");
    expect(again.decision).toEqual({ kind: "duplicate", runId: "run-1" });
    // A duplicate queues nothing.
    expect(again.q.queued).toEqual([]);
    expect(isIdle(again.q)).toBe(true);
  });

  it("an idempotency key on a coalesced wake maps to the run it was merged into", () => {
    let q = admit(emptyQueue(), wake("issue-1"), "run-1").q;
    const merged = admit(q, wake("issue-1", "idem-merge"), "run-2");
    expect(merged.decision).toEqual({ kind: "coalesced", runId: "run-1" });
    q = merged.q;
    expect(admit(q, wake("issue-7", "idem-merge"), "run-3").decision).toEqual({ kind: "duplicate", runId: "run-1" });
  });

  it("remembers only the last RECENT_IDEMPOTENCY_KEYS keys", () => {
    let q = emptyQueue(MAX_CONCURRENT_RUNS_LIMIT);
    const total = RECENT_IDEMPOTENCY_KEYS + 1;
    for (let i = 0; i < total; i++) {
      const r = admit(q, wake(`task-${i}`, `key-${i}`), `run-${i}`);
      expect(r.decision.kind).toBe("new");
      q = r.q;
    }
    expect(q.recentIdempotencyKeys).toHaveLength(RECENT_IDEMPOTENCY_KEYS);
    expect(q.recentIdempotencyKeys[0]).toEqual(["key-1", "run-1"]);
    expect(q.recentIdempotencyKeys.at(-1)).toEqual([`key-${total - 1}`, `run-${total - 1}`]);
    // The oldest key is forgotten: the same key now admits a new run (its task's run is still queued,
    // so use a fresh task to see a brand-new run).
    expect(admit(q, wake("fresh-task", "key-0"), "run-new").decision).toEqual({ kind: "new", runId: "run-new" });
    // The second oldest is still remembered.
    expect(admit(q, wake("fresh-task", "key-1"), "run-new").decision).toEqual({ kind: "duplicate", runId: "run-1" });
  });

  it("applyAdmission is idempotent for the same new run id (a replayed update queues it once)", () => {
    const w = wake("issue-1", "idem-1");
    const decision: AdmissionDecision = { kind: "new", runId: "run-1" };
    const once = applyAdmission(emptyQueue(), w, decision);
    const twice = applyAdmission(once, w, decision);
    expect(twice.queued).toEqual([{ runId: "run-1", taskKey: "issue-1", reason: null }]);
    expect(twice.recentIdempotencyKeys).toEqual([["idem-1", "run-1"]]);
  });

  it("applying a duplicate decision changes nothing", () => {
    const q = admit(emptyQueue(), wake("issue-1", "idem-1"), "run-1").q;
    const after = applyAdmission(q, wake("issue-1", "idem-1"), { kind: "duplicate", runId: "run-1" });
    expect(after).toEqual(q);
  });
});

describe("starting and finishing", () => {
  it("with a limit of 1, runs start one at a time in FIFO order", () => {
    let q = emptyQueue(1);
    for (const [i, key] of ["a", "b", "c"].entries()) q = admit(q, wake(key), `run-${i}`).q;
    let s = startAll(q);
    expect(s.started).toEqual(["run-0"]);
    q = s.q;
    expect(nextToStart(q)).toBeUndefined();
    q = markFinished(q, "run-0");
    s = startAll(q);
    expect(s.started).toEqual(["run-1"]);
    q = markFinished(s.q, "run-1");
    s = startAll(q);
    expect(s.started).toEqual(["run-2"]);
    q = markFinished(s.q, "run-2");
    expect(isIdle(q)).toBe(true);
    expect(nextToStart(q)).toBeUndefined();
  });

  it("with a limit of 3, three start at once and a finished run frees a slot for the next in line", () => {
    let q = emptyQueue(3);
    for (let i = 0; i < 5; i++) q = admit(q, wake(`t${i}`), `run-${i}`).q;
    let s = startAll(q);
    expect(s.started).toEqual(["run-0", "run-1", "run-2"]);
    q = s.q;
    expect(q.running).toEqual(["run-0", "run-1", "run-2"]);
    expect(q.queued.map((r) => r.runId)).toEqual(["run-3", "run-4"]);
    expect(nextToStart(q)).toBeUndefined();

    q = markFinished(q, "run-1");
    expect(nextToStart(q)?.runId).toBe("run-3");
    s = startAll(q);
    expect(s.started).toEqual(["run-3"]);
    expect(s.q.running).toEqual(["run-0", "run-2", "run-3"]);
  });

  it("markStarted of a run that is not queued changes nothing; markFinished of an unknown run is harmless", () => {
    let q = admit(emptyQueue(2), wake("a"), "run-1").q;
    expect(markStarted(q, "nope")).toEqual(q);
    q = markStarted(q, "run-1");
    // Starting twice does not run it twice.
    expect(markStarted(q, "run-1").running).toEqual(["run-1"]);
    expect(markFinished(q, "nope").running).toEqual(["run-1"]);
  });

  it("dropQueued removes a queued run that will never start, leaving the others in order", () => {
    let q = emptyQueue(1);
    for (const [i, key] of ["a", "b", "c"].entries()) q = admit(q, wake(key), `run-${i}`).q;
    q = dropQueued(q, "run-1");
    expect(q.queued.map((r) => r.runId)).toEqual(["run-0", "run-2"]);
    // Its task is no longer a merge target.
    expect(admit(q, wake("b"), "run-9").decision).toEqual({ kind: "new", runId: "run-9" });
    q = dropQueued(dropQueued(q, "run-0"), "run-2");
    expect(isIdle(q)).toBe(true);
  });

  it("isIdle is false while anything is queued or running", () => {
    let q = admit(emptyQueue(), wake(null), "run-1").q;
    expect(isIdle(q)).toBe(false);
    q = markStarted(q, "run-1");
    expect(isIdle(q)).toBe(false);
    q = markFinished(q, "run-1");
    expect(isIdle(q)).toBe(true);
  });
});

describe("invariants under a long random sequence", () => {
  /** Deterministic 32-bit LCG (Numerical Recipes constants). */
  function lcg(seed: number) {
    let state = seed >>> 0;
    const next = () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
    return { next, int: (n: number) => Math.floor(next() * n) };
  }

  it.each([
    [1, 12345],
    [1, 987],
    [3, 42],
    [3, 2024],
    [10, 7],
  ])("limit %i, seed %i: never over the limit, no duplicate queued task, no run id twice", (limit, seed) => {
    const rnd = lcg(seed);
    const keys = [null, "k0", "k1", "k2", "k3", "k4"];
    let q = emptyQueue(limit);
    let counter = 0;
    const admittedIds = new Set<string>();
    const keyToRun = new Map<string, string>();
    const finished = new Set<string>();
    const counts = { new: 0, coalesced: 0, duplicate: 0, started: 0, finished: 0 };

    for (let step = 0; step < 2000; step++) {
      const op = rnd.int(10);
      if (op < 5) {
        const taskKey = keys[rnd.int(keys.length)] ?? null;
        const idem = rnd.next() < 0.4 ? `idem-${rnd.int(40)}` : null;
        const proposed = `run-${counter++}`;
        const { q: next, decision } = admit(q, wake(taskKey, idem), proposed);
        counts[decision.kind]++;
        if (decision.kind === "new") {
          expect(decision.runId).toBe(proposed);
          admittedIds.add(proposed);
        } else {
          // Duplicates and merges only ever point at a run that was admitted before.
          expect(admittedIds.has(decision.runId)).toBe(true);
        }
        if (decision.kind === "coalesced") {
          expect(q.queued.find((r) => r.runId === decision.runId)?.taskKey).toBe(taskKey);
        }
        if (decision.kind === "duplicate") expect(decision.runId).toBe(keyToRun.get(idem!));
        if (idem && decision.kind !== "duplicate") keyToRun.set(idem, decision.runId);
        q = next;
      } else if (op < 8) {
        const candidate = nextToStart(q);
        if (candidate) {
          q = markStarted(q, candidate.runId);
          counts.started++;
        }
      } else if (q.running.length > 0) {
        const id = q.running[rnd.int(q.running.length)]!;
        q = markFinished(q, id);
        finished.add(id);
        counts.finished++;
      }

      expect(q.running.length).toBeLessThanOrEqual(limit);
      const queuedKeys = q.queued.map((r) => r.taskKey);
      expect(new Set(queuedKeys).size).toBe(queuedKeys.length);
      const ids = [...q.queued.map((r) => r.runId), ...q.running];
      expect(new Set(ids).size).toBe(ids.length);
      // A finished run never comes back.
      for (const id of ids) expect(finished.has(id)).toBe(false);
      expect(q.recentIdempotencyKeys.length).toBeLessThanOrEqual(RECENT_IDEMPOTENCY_KEYS);
    }

    // The sequence actually exercised every path.
    expect(counts.new).toBeGreaterThan(20);
    expect(counts.coalesced).toBeGreaterThan(20);
    expect(counts.duplicate).toBeGreaterThan(20);
    expect(counts.started).toBeGreaterThan(20);
    expect(counts.finished).toBeGreaterThan(20);
  });
});
