/** The activity surface the workflows call. Workflows import this file as types only. */
import type { RunClaim, RunOutcome, WakeRequest, WakeResult } from "../workflows/definitions.js";
import type { AdmissionDecision } from "../workflows/wake-queue.js";

export interface RecordWakeupInput {
  agentId: string;
  companyId: string;
  request: WakeRequest;
  decision: AdmissionDecision;
}

export interface RecordSkippedWakeupInput {
  agentId: string;
  companyId: string;
  request: WakeRequest;
  /** e.g. `heartbeat.disabled`, `heartbeat.wakeOnDemand.disabled` */
  reason: string;
}

export interface Activities {
  /** Writes the wakeup request row and, for a new run, the queued run row (one transaction, idempotent). */
  recordWakeup(input: RecordWakeupInput): Promise<WakeResult>;
  /** Writes a `skipped` wakeup row: the policy refused the wake, and the audit trail says why. */
  recordSkippedWakeup(input: RecordSkippedWakeupInput): Promise<void>;
  /** queued → running; returns the activity options for this run, or `proceed: false` if it ended meanwhile. */
  claimRun(input: { runId: string }): Promise<RunClaim>;
  /** Runs the agent through its adapter: spawn, stream logs, heartbeat, honour cancellation. */
  executeRun(input: { runId: string }): Promise<RunOutcome>;
  /** Records the single terminal outcome (idempotent: a second call changes nothing). */
  finalizeRun(input: { runId: string; outcome: RunOutcome }): Promise<void>;
}
