/**
 * Search attributes that make agents and runs findable in the Temporal UI, e.g.
 * `WorkflowType = 'agentRunWorkflow' AND AgentId = '…'`. Defined here because workflow code sets
 * them; they must be registered on the cluster before use (the dev-server launcher passes them as
 * flags, `npm run temporal:setup` registers them on an existing cluster, start-up checks them).
 */
import { defineSearchAttributeKey, SearchAttributeType } from "@temporalio/common";

export const AgentIdKey = defineSearchAttributeKey("AgentId", SearchAttributeType.KEYWORD);
export const CompanyIdKey = defineSearchAttributeKey("CompanyId", SearchAttributeType.KEYWORD);
/** `idle | running | paused | terminated`, kept current by the agent workflow. */
export const AgentStatusKey = defineSearchAttributeKey("AgentStatus", SearchAttributeType.KEYWORD);
/**
 * The heartbeat run id. Not named `RunId`: Temporal reserves that name for its own execution run id
 * (registering it fails with "Search attribute RunId is reserved by system"). The run workflow's id
 * `run/<runId>` finds it too: `WorkflowId = 'run/<id>'`.
 */
export const HeartbeatRunIdKey = defineSearchAttributeKey("HeartbeatRunId", SearchAttributeType.KEYWORD);
export const WakeReasonKey = defineSearchAttributeKey("WakeReason", SearchAttributeType.KEYWORD);

export const ALL_SEARCH_ATTRIBUTES = [AgentIdKey, CompanyIdKey, AgentStatusKey, HeartbeatRunIdKey, WakeReasonKey];
