/**
 * The API's only door into the engine: send a wakeup to `agent/<id>` (starting that workflow if it
 * is not running) and get the admitted run back. Everything the board reads comes from Postgres.
 */
import {
  WithStartWorkflowOperation,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
} from "@temporalio/client";
import type { TypedSearchAttributes } from "@temporalio/common";
import { serviceUnavailable, unprocessable } from "../core/errors.js";
import type { agentWorkflow } from "../workflows/agent-workflow.js";
import {
  agentWorkflowId,
  requestWakeupUpdate,
  type AgentWorkflowInput,
  type WakeRequest,
  type WakeResult,
} from "../workflows/definitions.js";
import { AgentIdKey, AgentStatusKey, CompanyIdKey } from "./search-attributes.js";

export interface AgentRef {
  id: string;
  companyId: string;
  maxConcurrentRuns: number;
}

export interface AgentScheduler {
  requestWakeup(agent: AgentRef, request: WakeRequest): Promise<WakeResult>;
  /** True when the Temporal frontend answers. */
  ping(): Promise<boolean>;
}

/** How long an HTTP wakeup waits for a worker to admit it before answering 503. */
const WAKE_DEADLINE_MS = 30_000;

export function createAgentScheduler(client: Client, taskQueue: string): AgentScheduler {
  return {
    async requestWakeup(agent, request) {
      const input: AgentWorkflowInput = { agentId: agent.id, companyId: agent.companyId, maxConcurrentRuns: agent.maxConcurrentRuns };
      const start = new WithStartWorkflowOperation<typeof agentWorkflow>("agentWorkflow", {
        workflowId: agentWorkflowId(agent.id),
        taskQueue,
        args: [input],
        // A running agent workflow receives the update; a closed one (terminated by an operator) is restarted.
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        typedSearchAttributes: [
          { key: AgentIdKey, value: agent.id },
          { key: CompanyIdKey, value: agent.companyId },
          { key: AgentStatusKey, value: "idle" },
        ] as unknown as TypedSearchAttributes,
        staticSummary: `agent ${agent.id}`,
      });
      try {
        return await client.withDeadline(Date.now() + WAKE_DEADLINE_MS, () =>
          client.workflow.executeUpdateWithStart(requestWakeupUpdate, {
            args: [request],
            updateId: request.wakeupRequestId,
            startWorkflowOperation: start,
          }),
        );
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError) {
          throw unprocessable(`Wakeup rejected: ${err.cause?.message ?? err.message}`, { code: "wakeup_rejected" });
        }
        if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
          throw serviceUnavailable("The scheduler did not admit the wakeup in time (is a worker running?)", { code: "scheduler_timeout" });
        }
        throw serviceUnavailable(`The scheduler is unavailable: ${err instanceof Error ? err.message : String(err)}`, { code: "scheduler_unavailable" });
      }
    },
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
