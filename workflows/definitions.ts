/**
 * The messages of the agent workflow and the shapes that cross the workflow boundary. Imported by
 * the API (to send them) and by workflow code (to handle them); nothing here does I/O.
 */
import { defineQuery, defineUpdate } from "@temporalio/workflow";
import type { WakeQueue } from "./wake-queue.js";

export type InvocationSource = "timer" | "assignment" | "on_demand" | "automation";
export type TriggerDetail = "manual" | "ping" | "callback" | "system";
export type RunStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled" | "timed_out";
export type TerminalRunStatus = Exclude<RunStatus, "queued" | "running">;

/** One wakeup, already validated and enriched by the API (`core/wakeups.ts`). */
export interface WakeRequest {
  /** Chosen by the caller; also the Temporal update id, so a retried HTTP call is applied once. */
  wakeupRequestId: string;
  source: InvocationSource;
  triggerDetail: TriggerDetail | null;
  reason: string | null;
  payload: Record<string, unknown> | null;
  idempotencyKey: string | null;
  requestedByActorType: "user" | "agent" | "system" | null;
  requestedByActorId: string | null;
  /** Coalescing scope (task/issue), null when the wake is not about a task. */
  taskKey: string | null;
  contextSnapshot: Record<string, unknown>;
}

export type WakeDisposition = "queued" | "coalesced" | "duplicate";

export interface WakeResult {
  runId: string;
  wakeupRequestId: string;
  disposition: WakeDisposition;
}

export interface AgentWorkflowInput {
  agentId: string;
  companyId: string;
  maxConcurrentRuns: number;
  /** State carried across continue-as-new. */
  carried?: { queue: WakeQueue };
}

export interface RunWorkflowInput {
  runId: string;
  agentId: string;
  companyId: string;
}

/** What one execution of an agent process produced, as recorded on the run row. */
export interface RunOutcome {
  status: TerminalRunStatus;
  exitCode: number | null;
  signal: string | null;
  error: string | null;
  errorCode: string | null;
  usage: Record<string, unknown> | null;
  resultJson: Record<string, unknown> | null;
  sessionIdAfter: string | null;
  stdoutExcerpt: string | null;
  stderrExcerpt: string | null;
}

/** Returned by the claim activity: whether to run, and the activity options for this run. */
export interface RunClaim {
  proceed: boolean;
  status: RunStatus;
  execTaskQueue: string;
  startToCloseSec: number;
  heartbeatTimeoutSec: number;
  maxAttempts: number;
}

export interface AgentStateSnapshot {
  agentId: string;
  queue: WakeQueue;
}

export const requestWakeupUpdate = defineUpdate<WakeResult, [WakeRequest]>("requestWakeup");
export const stateQuery = defineQuery<AgentStateSnapshot>("state");

export const agentWorkflowId = (agentId: string) => `agent/${agentId}`;
export const runWorkflowId = (runId: string) => `run/${runId}`;

/** Error types the run workflow maps to run error codes instead of retrying. */
export const NON_RETRYABLE_RUN_ERRORS = ["AdapterConfigError", "RunNotFound"] as const;
