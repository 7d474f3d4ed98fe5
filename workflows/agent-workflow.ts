/**
 * `agent/<agentId>`: the single writer of one agent's scheduling state. Wakeups arrive as the
 * `requestWakeup` update (the caller gets its run back); each admitted wake is recorded in Postgres
 * by a local activity before it counts, and each run executes as a child workflow `run/<runId>`.
 * Deterministic: all decisions come from `wake-queue.ts`; all I/O happens in activities.
 */
import {
  ApplicationFailure,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  log,
  proxyLocalActivities,
  setHandler,
  uuid4,
  workflowInfo,
} from "@temporalio/workflow";
import type { Activities } from "../activities/types.js";
import {
  type AgentWorkflowInput,
  type WakeRequest,
  requestWakeupUpdate,
  runWorkflowId,
  stateQuery,
} from "./definitions.js";
import { agentRunWorkflow } from "./run-workflow.js";
import { applyAdmission, decideAdmission, emptyQueue, markFinished, markStarted, nextToStart, type QueuedRun } from "./wake-queue.js";

// Recording a wake is a short DB write. Retried for up to ~2 minutes so a Postgres restart during a
// burst delays wakeups instead of losing them.
const db = proxyLocalActivities<Pick<Activities, "recordWakeup">>({
  startToCloseTimeout: "15s",
  scheduleToCloseTimeout: "2m",
  retry: { initialInterval: "200ms", backoffCoefficient: 2, maximumInterval: "5s" },
});

export async function agentWorkflow(input: AgentWorkflowInput): Promise<void> {
  const { agentId, companyId } = input;
  let queue = input.carried?.queue ?? emptyQueue(input.maxConcurrentRuns);
  // Admissions are serialised: each decides against the queue as the previous one left it, and no run
  // starts while one is being recorded (a coalesce target must still be queued when it is merged into).
  let admitting = false;

  // Handlers are registered before any await (an update-with-start must find its handler).
  setHandler(
    requestWakeupUpdate,
    async (request: WakeRequest) => {
      await condition(() => !admitting);
      admitting = true;
      try {
        const wake = { taskKey: request.taskKey, reason: request.reason, idempotencyKey: request.idempotencyKey };
        const decision = decideAdmission(queue, wake, uuid4());
        if (decision.kind === "duplicate") {
          return { runId: decision.runId, wakeupRequestId: request.wakeupRequestId, disposition: "duplicate" as const };
        }
        const result = await db.recordWakeup({ agentId, companyId, request, decision });
        // The database is the backstop for idempotency keys this workflow has forgotten.
        const recorded = result.disposition === "duplicate" ? { kind: "duplicate" as const, runId: result.runId } : decision;
        queue = applyAdmission(queue, wake, recorded);
        return result;
      } finally {
        admitting = false;
      }
    },
    { validator: validateWakeRequest },
  );
  setHandler(stateQuery, () => ({ agentId, queue }));

  const launch = (run: QueuedRun) => {
    queue = markStarted(queue, run.runId);
    void executeChild(agentRunWorkflow, {
      workflowId: runWorkflowId(run.runId),
      args: [{ runId: run.runId, agentId, companyId }],
      // The agent workflow only continues-as-new when idle, so a cancel here means the agent was closed.
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      staticSummary: `run ${run.runId} (${run.reason ?? "wakeup"})`,
    })
      .catch((err: unknown) => log.error("run workflow failed", { runId: run.runId, error: String(err) }))
      .finally(() => {
        queue = markFinished(queue, run.runId);
      });
  };

  const wantsContinueAsNew = () => workflowInfo().continueAsNewSuggested && queue.running.length === 0 && !admitting;

  for (;;) {
    await condition(() => (!admitting && nextToStart(queue) !== undefined) || wantsContinueAsNew());
    for (let run = nextToStart(queue); run && !admitting; run = nextToStart(queue)) launch(run);
    if (wantsContinueAsNew()) {
      await condition(allHandlersFinished);
      if (queue.running.length === 0) {
        return continueAsNew<typeof agentWorkflow>({ ...input, carried: { queue } });
      }
    }
  }
}

function validateWakeRequest(request: WakeRequest): void {
  if (!request || typeof request.wakeupRequestId !== "string" || request.wakeupRequestId.length === 0) {
    throw ApplicationFailure.nonRetryable("wakeupRequestId is required", "InvalidWakeRequest");
  }
  if (!["timer", "assignment", "on_demand", "automation"].includes(request.source)) {
    throw ApplicationFailure.nonRetryable(`unknown wake source ${String(request.source)}`, "InvalidWakeRequest");
  }
}
