/**
 * `run/<runId>`: one heartbeat run. Claim the queued run, execute the adapter in a heartbeating
 * activity (retried on another worker if this one dies), then record exactly one terminal outcome —
 * also when the run is cancelled, which the recording step is shielded from.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  TimeoutFailure,
  condition,
  isCancellation,
  patched,
  setHandler,
  proxyActivities,
  proxyLocalActivities,
} from "@temporalio/workflow";
import type { Activities } from "../activities/types.js";
import type { RunOutcome, RunStatus, RunWorkflowInput } from "./definitions.js";
import { NON_RETRYABLE_RUN_ERRORS, issueLockReleasedSignal, outcomeWithoutOutput, runCallbackResultSignal } from "./definitions.js";

/**
 * A run waiting for its issue's execution lock re-checks at this interval even without a signal (the
 * holder may have lost its lock by a status change in the API, which sends no signal).
 */
const ISSUE_LOCK_RECHECK = "10s";

// Claim and finalize are short DB writes: local activities, run inside the workflow task, which
// saves a task round trip each. Retried without limit: an outcome must be recorded eventually,
// even across a long Postgres outage.
const db = proxyLocalActivities<Pick<Activities, "claimRun" | "finalizeRun">>({
  startToCloseTimeout: "30s",
  retry: { initialInterval: "200ms", backoffCoefficient: 2, maximumInterval: "10s" },
});

export async function agentRunWorkflow(input: RunWorkflowInput): Promise<RunStatus> {
  let outcome: RunOutcome;
  let lockReleased = false;
  setHandler(issueLockReleasedSignal, () => {
    lockReleased = true;
  });
  let callbackOutcome: RunOutcome | null = null;
  setHandler(runCallbackResultSignal, (posted) => {
    callbackOutcome ??= posted;
  });
  try {
    let claim = await db.claimRun({ runId: input.runId });
    // Issue execution lock: one active run per issue; this run waits, still queued, for the holder.
    if (patched("issue-execution-lock")) {
      while (!claim.proceed && claim.waitForIssueLock) {
        await condition(() => lockReleased, ISSUE_LOCK_RECHECK);
        lockReleased = false;
        claim = await db.claimRun({ runId: input.runId });
      }
    }
    if (!claim.proceed) return claim.status;
    // Same task queue as this workflow, so the server can hand the activity to this worker eagerly.
    const exec = proxyActivities<Pick<Activities, "executeRun">>({
      startToCloseTimeout: `${claim.startToCloseSec}s`,
      heartbeatTimeout: `${claim.heartbeatTimeoutSec}s`,
      // Set explicitly: the SDK's implicit default is TRY_CANCEL, which would not wait for the kill.
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      retry: { maximumAttempts: claim.maxAttempts, initialInterval: "1s", nonRetryableErrorTypes: [...NON_RETRYABLE_RUN_ERRORS] },
    });
    outcome = await exec.executeRun({ runId: input.runId });
    // A remote agent took the run (http async mode): it stays running, durably, until the agent posts
    // its result to the signed callback URL or the deadline passes. No activity is open meanwhile.
    if (outcome.awaitCallback && patched("http-async-callback")) {
      const arrived = await condition(() => callbackOutcome !== null, `${outcome.awaitCallback.timeoutSec}s`);
      outcome = arrived && callbackOutcome
        ? callbackOutcome
        : outcomeWithoutOutput("timed_out", `No result arrived at the callback URL within ${outcome.awaitCallback.timeoutSec}s`, "callback_timeout");
    }
  } catch (err) {
    outcome = isCancellation(err) ? outcomeWithoutOutput("cancelled", "Run cancelled", "cancelled") : outcomeFromFailure(err);
  }
  // Recording the outcome must happen even when this workflow is being cancelled.
  await CancellationScope.nonCancellable(() => db.finalizeRun({ runId: input.runId, outcome }));
  return outcome.status;
}

/** Maps an activity failure (after all retries) to a failed run with a stable error code. */
function outcomeFromFailure(err: unknown): RunOutcome {
  const base = outcomeWithoutOutput("failed", err instanceof Error ? err.message : String(err), "adapter_failed");
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  if (cause instanceof TimeoutFailure) {
    return { ...base, errorCode: "process_lost", error: "Process lost: the worker running it stopped heartbeating and no retry succeeded" };
  }
  if (cause instanceof ApplicationFailure) {
    return { ...base, error: cause.message, errorCode: cause.type === "AdapterConfigError" ? "adapter_config_invalid" : cause.type === "RunNotFound" ? "run_not_found" : "adapter_failed" };
  }
  return base;
}
