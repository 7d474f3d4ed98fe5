/**
 * The API's door into the engine: wakeups, schedule changes, pause/resume/terminate and run
 * cancellation, each sent to `agent/<id>` (started on demand). Everything the board reads comes
 * from Postgres; `state` is for operators and tests.
 */
import {
  WithStartWorkflowOperation,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
} from "@temporalio/client";
import { ApplicationFailure } from "@temporalio/common";
import { HttpError, conflict, serviceUnavailable, unprocessable } from "../core/errors.js";
import type { agentWorkflow } from "../workflows/agent-workflow.js";
import {
  AGENT_NOT_INVOKABLE,
  type AgentScheduleConfig,
  type AgentStateSnapshot,
  type AgentWorkflowInput,
  type CancelRunResult,
  type RunOutcome,
  type WakeRequest,
  type WakeResult,
  agentWorkflowId,
  cancelRunUpdate,
  configureSignal,
  requestWakeupUpdate,
  issueLockReleasedSignal,
  runCallbackResultSignal,
  runWorkflowId,
  setPausedUpdate,
  stateQuery,
  terminateUpdate,
} from "../workflows/definitions.js";
import { AgentIdKey, AgentStatusKey, CompanyIdKey } from "../workflows/search-attributes.js";

export interface AgentRef {
  id: string;
  companyId: string;
  config: AgentScheduleConfig;
}

export interface AgentScheduler {
  requestWakeup(agent: AgentRef, request: WakeRequest): Promise<WakeResult>;
  /** Pushes the schedule config, starting the agent workflow if needed (timers need it running). */
  configure(agent: AgentRef): Promise<void>;
  /** Null when the agent has no running workflow (nothing to pause or cancel). */
  setPaused(agentId: string, paused: boolean): Promise<AgentStateSnapshot | null>;
  terminate(agentId: string): Promise<AgentStateSnapshot | null>;
  cancelRun(agentId: string, runId: string): Promise<CancelRunResult>;
  /** Wakes a run waiting for its issue's execution lock (no-op when it is not waiting any more). */
  signalIssueLockReleased(runId: string): Promise<void>;
  /** Hands a remote agent's posted result to its waiting `run/<id>` workflow. False when the workflow is gone. */
  signalRunCallbackResult(runId: string, outcome: RunOutcome): Promise<boolean>;
  state(agentId: string): Promise<AgentStateSnapshot | null>;
  ping(): Promise<boolean>;
}

/** How long an HTTP call waits for a worker to process its message before answering 503. */
const DEADLINE_MS = 30_000;

export function createAgentScheduler(client: Client, taskQueue: string): AgentScheduler {
  const startOptions = (agent: AgentRef) => ({
    workflowId: agentWorkflowId(agent.id),
    taskQueue,
    args: [{ agentId: agent.id, companyId: agent.companyId, config: agent.config } satisfies AgentWorkflowInput] as [AgentWorkflowInput],
    // A closed agent workflow (terminated by an operator) is started afresh by the next message.
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    typedSearchAttributes: [
      { key: AgentIdKey, value: agent.id },
      { key: CompanyIdKey, value: agent.companyId },
      { key: AgentStatusKey, value: "idle" },
    ],
    staticSummary: `agent ${agent.id}`,
  });
  const withDeadline = <T>(fn: () => Promise<T>) => client.withDeadline(Date.now() + DEADLINE_MS, fn);
  const existing = async <T>(fn: () => Promise<T>): Promise<T | null> => {
    try {
      return await withDeadline(fn);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || isNotRunning(err)) return null;
      throw translate(err);
    }
  };

  return {
    async requestWakeup(agent, request) {
      const start = new WithStartWorkflowOperation<typeof agentWorkflow>("agentWorkflow", {
        ...startOptions(agent),
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      });
      try {
        return await withDeadline(() =>
          client.workflow.executeUpdateWithStart(requestWakeupUpdate, { args: [request], updateId: request.wakeupRequestId, startWorkflowOperation: start }),
        );
      } catch (err) {
        throw translate(err);
      }
    },
    async configure(agent) {
      try {
        await withDeadline(() =>
          client.workflow.signalWithStart<typeof agentWorkflow, [AgentScheduleConfig]>("agentWorkflow", {
            ...startOptions(agent),
            signal: configureSignal,
            signalArgs: [agent.config],
          }),
        );
      } catch (err) {
        throw translate(err);
      }
    },
    setPaused: (agentId, paused) => existing(() => client.workflow.getHandle(agentWorkflowId(agentId)).executeUpdate(setPausedUpdate, { args: [{ paused }] })),
    terminate: (agentId) => existing(() => client.workflow.getHandle(agentWorkflowId(agentId)).executeUpdate(terminateUpdate, { args: [] })),
    async signalIssueLockReleased(runId) {
      await existing(() => client.workflow.getHandle(runWorkflowId(runId)).signal(issueLockReleasedSignal, { issueId: "" }));
    },
    async signalRunCallbackResult(runId, outcome) {
      const sent = await existing(async () => {
        await client.workflow.getHandle(runWorkflowId(runId)).signal(runCallbackResultSignal, outcome);
        return true;
      });
      return sent === true;
    },
    async cancelRun(agentId, runId) {
      const result = await existing(() => client.workflow.getHandle(agentWorkflowId(agentId)).executeUpdate(cancelRunUpdate, { args: [{ runId }] }));
      return result ?? { found: "not_active" };
    },
    state: (agentId) => existing(() => client.workflow.getHandle(agentWorkflowId(agentId)).query(stateQuery)),
    async ping() {
      try {
        await client.withDeadline(Date.now() + 2000, () => client.workflowService.getSystemInfo({}));
        return true;
      } catch {
        return false;
      }
    },
  };
}

function isNotRunning(err: unknown): boolean {
  return err instanceof Error && /workflow execution already completed|not found/i.test(err.message);
}

/** Engine errors as HTTP errors: a refused update is the caller's problem, anything else is ours (503). */
function translate(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure && cause.type === AGENT_NOT_INVOKABLE) {
      return conflict("Agent is not invokable in its current state", { reason: cause.message });
    }
    return unprocessable(`Rejected by the agent's scheduler: ${cause?.message ?? err.message}`, { code: "rejected_by_scheduler" });
  }
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return serviceUnavailable("The scheduler did not answer in time (is a worker running?)", { code: "scheduler_timeout" });
  }
  return serviceUnavailable(`The scheduler is unavailable: ${err instanceof Error ? err.message : String(err)}`, { code: "scheduler_unavailable" });
}
