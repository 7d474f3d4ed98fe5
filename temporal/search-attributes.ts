/**
 * Search attributes that make agents and runs findable in the Temporal UI, e.g.
 * `WorkflowType='agentRunWorkflow' AND AgentId='…'`. They must be registered before use:
 * the dev-server launcher passes them as flags; `npm run temporal:setup` registers them on a cluster.
 */
import { defineSearchAttributeKey, SearchAttributeType } from "@temporalio/common";

export const AgentIdKey = defineSearchAttributeKey("AgentId", SearchAttributeType.KEYWORD);
export const CompanyIdKey = defineSearchAttributeKey("CompanyId", SearchAttributeType.KEYWORD);
export const AgentStatusKey = defineSearchAttributeKey("AgentStatus", SearchAttributeType.KEYWORD);
/**
 * The heartbeat run id. Not named `RunId`: Temporal reserves that name for its own execution run id
 * (registering it fails with "Search attribute RunId is reserved by system"). The run workflow's id
 * `run/<runId>` also finds it: `WorkflowId = 'run/<id>'`.
 */
export const HeartbeatRunIdKey = defineSearchAttributeKey("HeartbeatRunId", SearchAttributeType.KEYWORD);
export const WakeReasonKey = defineSearchAttributeKey("WakeReason", SearchAttributeType.KEYWORD);

export const ALL_SEARCH_ATTRIBUTES = [AgentIdKey, CompanyIdKey, AgentStatusKey, HeartbeatRunIdKey, WakeReasonKey];

/** `--search-attribute Name=Keyword` flags for `temporal server start-dev`. */
export function devServerSearchAttributeFlags(): string[] {
  return ALL_SEARCH_ATTRIBUTES.flatMap((k) => ["--search-attribute", `${k.name}=Keyword`]);
}
