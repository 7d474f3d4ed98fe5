/**
 * Search attributes that make agents and runs findable in the Temporal UI, e.g.
 * `WorkflowType='agentRunWorkflow' AND AgentId='…'`. They must be registered before use:
 * the dev-server launcher passes them as flags; `npm run temporal:setup` registers them on a cluster.
 */
import { defineSearchAttributeKey, SearchAttributeType } from "@temporalio/common";

export const AgentIdKey = defineSearchAttributeKey("AgentId", SearchAttributeType.KEYWORD);
export const CompanyIdKey = defineSearchAttributeKey("CompanyId", SearchAttributeType.KEYWORD);
export const AgentStatusKey = defineSearchAttributeKey("AgentStatus", SearchAttributeType.KEYWORD);
export const RunIdKey = defineSearchAttributeKey("RunId", SearchAttributeType.KEYWORD);
export const WakeReasonKey = defineSearchAttributeKey("WakeReason", SearchAttributeType.KEYWORD);

export const ALL_SEARCH_ATTRIBUTES = [AgentIdKey, CompanyIdKey, AgentStatusKey, RunIdKey, WakeReasonKey];

/** `--search-attribute Name=Keyword` flags for `temporal server start-dev`. */
export function devServerSearchAttributeFlags(): string[] {
  return ALL_SEARCH_ATTRIBUTES.flatMap((k) => ["--search-attribute", `${k.name}=Keyword`]);
}
