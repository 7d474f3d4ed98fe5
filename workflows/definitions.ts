/**
 * The messages of the agent workflow and the shapes that cross the workflow boundary. Imported by
 * the API (to send them) and by workflow code (to handle them); nothing here does I/O.
 */
import { defineQuery, defineSignal, defineUpdate } from "@temporalio/workflow";
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

export type WakeDisposition = "queued" | "coalesced" | "duplicate" | "skipped";

export interface WakeResult {
  /** Null only when the wake was skipped (policy said no). */
  runId: string | null;
  wakeupRequestId: string;
  disposition: WakeDisposition;
  /** Why a wake was skipped, e.g. `heartbeat.wakeOnDemand.disabled`. */
  reason?: string;
  /** The run's status in Postgres once recorded (lets the workflow adopt a run it lost track of). */
  runStatus?: string | null;
}

/** The scheduling part of `runtimeConfig.heartbeat`, pushed to the workflow on every change. */
export interface AgentScheduleConfig {
  maxConcurrentRuns: number;
  /** Timer period; 0 = no timer. */
  intervalSec: number;
  timerEnabled: boolean;
  wakeOnDemand: boolean;
}

export interface AgentWorkflowInput {
  agentId: string;
  companyId: string;
  config: AgentScheduleConfig;
  /** State carried across continue-as-new. */
  carried?: CarriedAgentState;
}

export interface CarriedAgentState {
  queue: WakeQueue;
  paused: boolean;
  /** Workflow time (ms) the timer counts from: the last tick or the last finished run. */
  timerBaseline: number;
}

export interface RunWorkflowInput {
  runId: string;
  agentId: string;
  companyId: string;
}

/** What the run decided about the agent's conversation session for this task. */
export type SessionChange =
  | { action: "keep" }
  | { action: "clear" }
  | { action: "set"; params: Record<string, unknown>; displayId: string | null };

export interface CostReport {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  costUsd: number | null;
  provider: string | null;
  biller: string | null;
  model: string | null;
  billingType: string | null;
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
  /** Absent on outcomes built by the workflow itself (cancelled before running, lost process). */
  session?: SessionChange;
  cost?: CostReport | null;
  /** The task key the session belongs to. */
  taskKey?: string | null;
  /**
   * Set when the adapter handed the run to a remote agent that reports back later (the `http`
   * adapter's async mode): the run stays running and the workflow waits for `runCallbackResult`.
   */
  awaitCallback?: { timeoutSec: number } | null;
}

/** An outcome built by workflow code itself (no process output): cancellation, lost process. */
export function outcomeWithoutOutput(status: TerminalRunStatus, error: string, errorCode: string): RunOutcome {
  return { status, error, errorCode, exitCode: null, signal: null, usage: null, resultJson: null, sessionIdAfter: null, stdoutExcerpt: null, stderrExcerpt: null };
}

/** Returned by the claim activity: whether to run, and the activity options for this run. */
export interface RunClaim {
  proceed: boolean;
  status: RunStatus;
  /**
   * Set when the run is for an issue whose execution lock another active run holds: the run stays
   * queued and waits for `issueLockReleased` (or re-checks after a while), then claims again.
   */
  waitForIssueLock?: { issueId: string; holderRunId: string } | null;
  startToCloseSec: number;
  heartbeatTimeoutSec: number;
  maxAttempts: number;
}

export interface AgentStateSnapshot {
  agentId: string;
  queue: WakeQueue;
  config: AgentScheduleConfig;
  paused: boolean;
  terminated: boolean;
  /** Epoch ms of the next timer wake, or null without a timer. */
  nextTimerAt: number | null;
}

export interface CancelRunResult {
  /** What the run was when the cancel arrived: queued runs end at once, running ones within seconds. */
  found: "queued" | "running" | "not_active";
}

export const requestWakeupUpdate = defineUpdate<WakeResult, [WakeRequest]>("requestWakeup");
/** Replaces the schedule config (PATCH of runtimeConfig). A signal: it needs no answer, only durability. */
export const configureSignal = defineSignal<[AgentScheduleConfig]>("configure");
/** Pause: refuse wakes, cancel queued and running runs. Resume with `paused: false`. */
export const setPausedUpdate = defineUpdate<AgentStateSnapshot, [{ paused: boolean }]>("setPaused");
/** Final: cancel everything and close the workflow. */
export const terminateUpdate = defineUpdate<AgentStateSnapshot, []>("terminate");
/** Sent to waiting `run/<id>` workflows when the run holding their issue's execution lock ends. */
export const issueLockReleasedSignal = defineSignal<[{ issueId: string }]>("issueLockReleased");
/** The final result a remote agent posted to its run's signed callback URL (first one wins). */
export const runCallbackResultSignal = defineSignal<[RunOutcome]>("runCallbackResult");
export const cancelRunUpdate = defineUpdate<CancelRunResult, [{ runId: string }]>("cancelRun");
export const stateQuery = defineQuery<AgentStateSnapshot>("state");

export const agentWorkflowId = (agentId: string) => `agent/${agentId}`;
export const runWorkflowId = (runId: string) => `run/${runId}`;

/** Error types the run workflow maps to run error codes instead of retrying. */
export const NON_RETRYABLE_RUN_ERRORS = ["AdapterConfigError", "RunNotFound"] as const;

/** Update rejections the API maps to 409 "not invokable". */
export const AGENT_NOT_INVOKABLE = "AgentNotInvokable";
