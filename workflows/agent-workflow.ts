/**
 * `agent/<agentId>`: the single writer of one agent's scheduling state — pending wakeups,
 * coalescing, the concurrency limit, the heartbeat timer, pause/resume/terminate — carried across
 * continue-as-new. Each admitted wake is recorded in Postgres by a local activity before it counts;
 * each run executes as a child workflow `run/<runId>`. Deterministic: decisions come from
 * `wake-queue.ts`, all I/O happens in activities.
 */
import {
  ApplicationFailure,
  CancellationScope,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  log,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from "@temporalio/workflow";
import type { Activities } from "../activities/types.js";
import {
  AGENT_NOT_INVOKABLE,
  type AgentStateSnapshot,
  type AgentWorkflowInput,
  type WakeRequest,
  type WakeResult,
  cancelRunUpdate,
  configureSignal,
  outcomeWithoutOutput,
  requestWakeupUpdate,
  runWorkflowId,
  setPausedUpdate,
  stateQuery,
  terminateUpdate,
} from "./definitions.js";
import { agentRunWorkflow } from "./run-workflow.js";
import { AgentIdKey, AgentStatusKey, CompanyIdKey, HeartbeatRunIdKey, WakeReasonKey } from "./search-attributes.js";
import {
  type AdmissionDecision,
  type QueuedRun,
  applyAdmission,
  decideAdmission,
  decideTimerAdmission,
  dropQueued,
  emptyQueue,
  markFinished,
  markStarted,
  nextToStart,
  withConcurrency,
} from "./wake-queue.js";

// Short DB writes, retried for up to two minutes so a Postgres restart delays wakeups instead of losing them.
const db = proxyLocalActivities<Pick<Activities, "recordWakeup" | "recordSkippedWakeup" | "finalizeRun">>({
  startToCloseTimeout: "15s",
  scheduleToCloseTimeout: "2m",
  retry: { initialInterval: "200ms", backoffCoefficient: 2, maximumInterval: "5s" },
});

export async function agentWorkflow(input: AgentWorkflowInput): Promise<void> {
  const { agentId, companyId } = input;
  let config = input.config;
  let queue = withConcurrency(input.carried?.queue ?? emptyQueue(), config.maxConcurrentRuns);
  let paused = input.carried?.paused ?? false;
  let terminated = false;
  let timerBaseline = input.carried?.timerBaseline ?? Date.now();
  /** Serialises everything that changes the queue: each step sees the queue as the last one left it. */
  let busy = false;
  /** Set by handlers so the main loop re-plans (new timer deadline, free slot, ...). */
  let replan = false;
  const scopes = new Map<string, CancellationScope>();

  const locked = async <T>(fn: () => Promise<T>): Promise<T> => {
    // Re-check after waking: all waiters are released in the same activation, and only the first
    // to run may take the lock; the others wait again.
    while (busy) await condition(() => !busy);
    busy = true;
    try {
      return await fn();
    } finally {
      busy = false;
      replan = true;
    }
  };
  const nextTimerAt = (): number | null =>
    config.timerEnabled && config.intervalSec > 0 && !paused && !terminated ? timerBaseline + config.intervalSec * 1000 : null;
  const snapshot = (): AgentStateSnapshot => ({ agentId, queue, config, paused, terminated, nextTimerAt: nextTimerAt() });

  let publishedStatus = "";
  const publishStatus = () => {
    const status = terminated ? "terminated" : paused ? "paused" : queue.running.length > 0 ? "running" : "idle";
    if (status === publishedStatus) return;
    publishedStatus = status;
    upsertSearchAttributes([{ key: AgentStatusKey, value: status }]);
  };

  /** The durable half of a wake: policy, admission decision, rows in Postgres, then the queue. */
  const admit = async (request: WakeRequest): Promise<WakeResult> => {
    const skipReason =
      request.source === "timer" ? (config.timerEnabled ? null : "heartbeat.disabled") : config.wakeOnDemand ? null : "heartbeat.wakeOnDemand.disabled";
    if (skipReason) {
      await db.recordSkippedWakeup({ agentId, companyId, request, reason: skipReason });
      return { runId: null, wakeupRequestId: request.wakeupRequestId, disposition: "skipped", reason: skipReason };
    }
    const wake = { taskKey: request.taskKey, reason: request.reason ?? request.source, idempotencyKey: request.idempotencyKey };
    // A new run takes the wake's own id: if a workflow task is lost after its rows were written (a
    // Temporal restart), the retried update proposes the same id and finds its rows again.
    const proposed = request.wakeupRequestId;
    const decision = request.source === "timer" ? decideTimerAdmission(queue, proposed) : decideAdmission(queue, wake, proposed);
    if (decision.kind === "duplicate") {
      return { runId: decision.runId, wakeupRequestId: request.wakeupRequestId, disposition: "duplicate" };
    }
    const result = await db.recordWakeup({ agentId, companyId, request, decision });
    queue = applyAdmission(queue, wake, reconcile(result));
    return result;
  };

  /**
   * What Postgres recorded wins over what was decided: it also knows keys this workflow forgot and
   * rows written by a workflow task that was lost. A queued run unknown here is adopted, never orphaned.
   */
  const reconcile = (result: WakeResult): AdmissionDecision => {
    const runId = result.runId ?? "";
    if (result.disposition === "duplicate") return { kind: "duplicate", runId };
    const known = queue.queued.some((r) => r.runId === runId) || queue.running.includes(runId);
    if (known) return { kind: "coalesced", runId };
    return result.runStatus === "queued" ? { kind: "new", runId } : { kind: "duplicate", runId };
  };

  /** Pause/terminate: queued runs end now, running ones are cancelled (their workflows record it). */
  const cancelEverything = async (why: string) => {
    const queued = queue.queued.map((r) => r.runId);
    for (const runId of queued) {
      queue = dropQueued(queue, runId);
      await db.finalizeRun({ runId, outcome: outcomeWithoutOutput("cancelled", why, "cancelled") });
    }
    for (const scope of scopes.values()) scope.cancel();
  };

  // Every handler is registered before the first await: an update-with-start must find its handler.
  setHandler(requestWakeupUpdate, (request) => locked(() => admit(request)), {
    validator: (request) => {
      validateWakeRequest(request);
      if (paused || terminated) {
        throw ApplicationFailure.create({ type: AGENT_NOT_INVOKABLE, nonRetryable: true, message: terminated ? "Agent is terminated" : "Agent is paused" });
      }
    },
  });
  setHandler(configureSignal, (next) => {
    config = next;
    queue = withConcurrency(queue, next.maxConcurrentRuns);
    replan = true;
  });
  setHandler(setPausedUpdate, ({ paused: pause }) =>
    locked(async () => {
      if (terminated) return snapshot();
      if (pause && !paused) {
        paused = true;
        await cancelEverything("Agent paused");
      } else if (!pause && paused) {
        paused = false;
        timerBaseline = Date.now();
      }
      publishStatus();
      return snapshot();
    }),
  );
  setHandler(terminateUpdate, () =>
    locked(async () => {
      if (!terminated) {
        terminated = true;
        paused = true;
        await cancelEverything("Agent terminated");
      }
      publishStatus();
      return snapshot();
    }),
  );
  setHandler(cancelRunUpdate, ({ runId }) =>
    locked(async () => {
      if (queue.queued.some((r) => r.runId === runId)) {
        queue = dropQueued(queue, runId);
        await db.finalizeRun({ runId, outcome: outcomeWithoutOutput("cancelled", "Cancelled by the board", "cancelled") });
        return { found: "queued" as const };
      }
      const scope = scopes.get(runId);
      if (!scope) return { found: "not_active" as const };
      scope.cancel();
      return { found: "running" as const };
    }),
  );
  setHandler(stateQuery, snapshot);

  const launch = (run: QueuedRun) => {
    queue = markStarted(queue, run.runId);
    const scope = new CancellationScope();
    scopes.set(run.runId, scope);
    publishStatus();
    scope
      .run(() =>
        executeChild(agentRunWorkflow, {
          workflowId: runWorkflowId(run.runId),
          args: [{ runId: run.runId, agentId, companyId }],
          // The agent workflow continues-as-new only when idle, so this only fires if an operator closes it.
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          staticSummary: `run ${run.runId} (${run.reason ?? "wakeup"})`,
          typedSearchAttributes: [
            { key: AgentIdKey, value: agentId },
            { key: CompanyIdKey, value: companyId },
            { key: HeartbeatRunIdKey, value: run.runId },
            { key: WakeReasonKey, value: run.reason ?? "wakeup" },
          ],
        }),
      )
      .catch((err: unknown) => log.warn("run workflow ended abnormally", { runId: run.runId, error: String(err) }))
      .finally(() => {
        scopes.delete(run.runId);
        queue = markFinished(queue, run.runId);
        timerBaseline = Math.max(timerBaseline, Date.now());
        replan = true;
        publishStatus();
      });
  };

  const timerDue = () => {
    const at = nextTimerAt();
    return at !== null && Date.now() >= at;
  };
  const canLaunch = () => !busy && !paused && nextToStart(queue) !== undefined;
  const wantsContinueAsNew = () => workflowInfo().continueAsNewSuggested && queue.running.length === 0 && !busy;

  publishStatus();
  while (!terminated) {
    replan = false;
    const at = nextTimerAt();
    const ready = () => terminated || replan || canLaunch() || timerDue() || wantsContinueAsNew();
    if (at === null) await condition(ready);
    else await condition(ready, Math.max(1, at - Date.now()));
    if (terminated) break;

    if (timerDue()) {
      timerBaseline = Date.now();
      try {
        await locked(() => admit(timerWake(Date.now())));
      } catch (err) {
        // Postgres unreachable for minutes: this tick is lost, the next one comes. Never let it fail the agent.
        log.warn("timer wake could not be recorded", { error: String(err) });
      }
    }
    // Before starting more work: a busy agent is idle only between runs, so that is when to
    // continue-as-new (the queue is carried), or its history would grow without bound.
    if (wantsContinueAsNew()) {
      await condition(allHandlersFinished);
      if (wantsContinueAsNew()) {
        return continueAsNew<typeof agentWorkflow>({ agentId, companyId, config, carried: { queue, paused, timerBaseline } });
      }
    }
    while (canLaunch()) launch(nextToStart(queue)!);
  }
  // Terminated: let cancelled runs record their outcome, then close.
  await condition(() => queue.running.length === 0 && allHandlersFinished());
}

function timerWake(now: number): WakeRequest {
  return {
    wakeupRequestId: uuid4(),
    source: "timer",
    triggerDetail: "system",
    reason: "heartbeat_timer",
    payload: null,
    idempotencyKey: null,
    requestedByActorType: "system",
    requestedByActorId: "heartbeat_scheduler",
    taskKey: null,
    contextSnapshot: {
      wakeReason: "heartbeat_timer",
      wakeSource: "timer",
      wakeTriggerDetail: "system",
      source: "scheduler",
      reason: "interval_elapsed",
      now: new Date(now).toISOString(),
    },
  };
}

function validateWakeRequest(request: WakeRequest): void {
  if (!request || typeof request.wakeupRequestId !== "string" || request.wakeupRequestId.length === 0) {
    throw ApplicationFailure.nonRetryable("wakeupRequestId is required", "InvalidWakeRequest");
  }
  if (!["timer", "assignment", "on_demand", "automation"].includes(request.source)) {
    throw ApplicationFailure.nonRetryable(`unknown wake source ${String(request.source)}`, "InvalidWakeRequest");
  }
}
