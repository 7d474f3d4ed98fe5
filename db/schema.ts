/**
 * Kysely types for the core schema (db/migrations/0001_core_schema.ts).
 *
 * Field names are camelCase: the Kysely instance uses CamelCasePlugin, so
 * `company_id` is written `companyId`. Table keys stay snake_case.
 *
 * - bigint columns are `number` (the connection installs an int8 -> Number parser);
 * - timestamptz columns read as `Date` and accept `Date | string` on write;
 * - jsonb columns read as `JsonValue`. NB: pg serializes a JS *array*
 *   parameter as a Postgres array, so pass `JSON.stringify(arr)` (or wrap it)
 *   when writing a top-level array into a jsonb column.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

// ------------------------------------------------------------------ helpers

export type JsonPrimitive = string | number | boolean | null;
export type JsonArray = JsonValue[];
/** `undefined` members are allowed so that objects with optional keys fit. */
export type JsonObject = { [key: string]: JsonValue | undefined };
export type JsonValue = JsonPrimitive | JsonArray | JsonObject;

/** NOT NULL jsonb with a default (optional on insert). */
export type Json = ColumnType<JsonValue, JsonValue | undefined, JsonValue>;
/** NOT NULL jsonb without a default (required on insert). */
export type RequiredJson = ColumnType<JsonValue, JsonValue, JsonValue>;
/** Nullable jsonb. */
export type NullableJson = ColumnType<
  JsonValue | null,
  JsonValue | null | undefined,
  JsonValue | null
>;

/** NOT NULL timestamptz with a default such as now() (optional on insert). */
export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** NOT NULL timestamptz without a default (required on insert). */
export type RequiredTimestamp = ColumnType<Date, Date | string, Date | string>;
/** Nullable timestamptz. */
export type NullableTimestamp = ColumnType<
  Date | null,
  Date | string | null | undefined,
  Date | string | null
>;
/** Nullable `date` (pg parses it to a Date unless the connection overrides oid 1082). */
export type NullableDate = ColumnType<
  Date | string | null,
  Date | string | null | undefined,
  Date | string | null
>;

// ------------------------------------------------------------------ enums (CHECK constraints)

export type CompanyStatus = "active" | "paused" | "archived";
export type AgentStatus =
  | "active"
  | "paused"
  | "idle"
  | "running"
  | "error"
  | "pending_approval"
  | "terminated";
export type HeartbeatRunStatus =
  | "queued"
  | "running"
  | "succeeded"
  | "failed"
  | "cancelled"
  | "timed_out";
export type InvocationSource = "timer" | "assignment" | "on_demand" | "automation";
export type WakeupRequestStatus =
  | "queued"
  | "deferred_issue_execution"
  | "claimed"
  | "coalesced"
  | "skipped"
  | "completed"
  | "failed"
  | "cancelled";
export type IssueStatus =
  | "backlog"
  | "todo"
  | "in_progress"
  | "in_review"
  | "done"
  | "blocked"
  | "cancelled";
export type IssuePriority = "critical" | "high" | "medium" | "low";
export type ApprovalStatus =
  | "pending"
  | "revision_requested"
  | "approved"
  | "rejected"
  | "cancelled";
export type GoalLevel = "company" | "team" | "agent" | "task";
export type MembershipRole = "owner" | "admin" | "operator" | "viewer" | "member";
export type RunLogStream = "stdout" | "stderr" | "system";

// ------------------------------------------------------------------ auth & instance

export interface UserTable {
  id: string;
  name: string;
  email: string;
  emailVerified: Generated<boolean>;
  image: string | null;
  passwordHash: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface SessionTable {
  id: string;
  userId: string;
  tokenHash: string;
  expiresAt: RequiredTimestamp;
  ipAddress: string | null;
  userAgent: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface InstanceSettingsTable {
  id: Generated<string>;
  singletonKey: Generated<string>;
  general: Json;
  experimental: Json;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface InstanceUserRoleTable {
  id: Generated<string>;
  userId: string;
  role: Generated<string>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface BoardApiKeyTable {
  id: Generated<string>;
  userId: string;
  name: string;
  keyHash: string;
  lastUsedAt: NullableTimestamp;
  revokedAt: NullableTimestamp;
  expiresAt: NullableTimestamp;
  createdAt: Timestamp;
}

// ------------------------------------------------------------------ companies & access

export interface CompanyTable {
  id: Generated<string>;
  name: string;
  description: string | null;
  status: Generated<CompanyStatus>;
  pauseReason: string | null;
  pausedAt: NullableTimestamp;
  issuePrefix: Generated<string>;
  issueCounter: Generated<number>;
  budgetMonthlyCents: Generated<number>;
  spentMonthlyCents: Generated<number>;
  requireBoardApprovalForNewAgents: Generated<boolean>;
  brandColor: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface CompanyMembershipTable {
  id: Generated<string>;
  companyId: string;
  principalType: string;
  principalId: string;
  status: Generated<string>;
  membershipRole: MembershipRole | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface PrincipalPermissionGrantTable {
  id: Generated<string>;
  companyId: string;
  principalType: string;
  principalId: string;
  permissionKey: string;
  scope: NullableJson;
  grantedByUserId: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

// ------------------------------------------------------------------ agents

export interface AgentTable {
  id: Generated<string>;
  companyId: string;
  name: string;
  role: Generated<string>;
  title: string | null;
  icon: string | null;
  status: Generated<AgentStatus>;
  reportsTo: string | null;
  capabilities: string | null;
  adapterType: Generated<string>;
  adapterConfig: Json;
  runtimeConfig: Json;
  budgetMonthlyCents: Generated<number>;
  spentMonthlyCents: Generated<number>;
  pauseReason: string | null;
  pausedAt: NullableTimestamp;
  permissions: Json;
  lastHeartbeatAt: NullableTimestamp;
  metadata: NullableJson;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface AgentApiKeyTable {
  id: Generated<string>;
  agentId: string;
  companyId: string;
  name: string;
  keyHash: string;
  lastUsedAt: NullableTimestamp;
  revokedAt: NullableTimestamp;
  createdAt: Timestamp;
}

export interface AgentConfigRevisionTable {
  id: Generated<string>;
  companyId: string;
  agentId: string;
  createdByAgentId: string | null;
  createdByUserId: string | null;
  source: Generated<string>;
  rolledBackFromRevisionId: string | null;
  changedKeys: Json;
  beforeConfig: RequiredJson;
  afterConfig: RequiredJson;
  createdAt: Timestamp;
}

export interface AgentRuntimeStateTable {
  /** Primary key (one row per agent). */
  agentId: string;
  companyId: string;
  adapterType: string;
  sessionId: string | null;
  stateJson: Json;
  lastRunId: string | null;
  lastRunStatus: string | null;
  totalInputTokens: Generated<number>;
  totalOutputTokens: Generated<number>;
  totalCachedInputTokens: Generated<number>;
  totalCostCents: Generated<number>;
  lastError: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface AgentTaskSessionTable {
  id: Generated<string>;
  companyId: string;
  agentId: string;
  adapterType: string;
  taskKey: string;
  sessionParamsJson: NullableJson;
  sessionDisplayId: string | null;
  lastRunId: string | null;
  lastError: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

// ------------------------------------------------------------------ wakeups & runs

export interface AgentWakeupRequestTable {
  id: Generated<string>;
  companyId: string;
  agentId: string;
  /** timer | assignment | on_demand | automation (not CHECK-constrained). */
  source: string;
  triggerDetail: string | null;
  reason: string | null;
  payload: NullableJson;
  status: Generated<WakeupRequestStatus>;
  coalescedCount: Generated<number>;
  requestedByActorType: string | null;
  requestedByActorId: string | null;
  idempotencyKey: string | null;
  runId: string | null;
  requestedAt: Timestamp;
  claimedAt: NullableTimestamp;
  finishedAt: NullableTimestamp;
  error: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface HeartbeatRunTable {
  id: Generated<string>;
  companyId: string;
  agentId: string;
  invocationSource: Generated<InvocationSource>;
  triggerDetail: string | null;
  status: Generated<HeartbeatRunStatus>;
  startedAt: NullableTimestamp;
  finishedAt: NullableTimestamp;
  error: string | null;
  errorCode: string | null;
  wakeupRequestId: string | null;
  exitCode: number | null;
  signal: string | null;
  usageJson: NullableJson;
  resultJson: NullableJson;
  sessionIdBefore: string | null;
  sessionIdAfter: string | null;
  /** 'postgres' (heartbeat_run_log_chunks) or 'local_file'. */
  logStore: string | null;
  logRef: string | null;
  logBytes: number | null;
  logSha256: string | null;
  logCompressed: Generated<boolean>;
  stdoutExcerpt: string | null;
  stderrExcerpt: string | null;
  externalRunId: string | null;
  processPid: number | null;
  processStartedAt: NullableTimestamp;
  retryOfRunId: string | null;
  processLossRetryCount: Generated<number>;
  /** Ours: the Temporal activity attempt that (last) executed the run. */
  attempt: Generated<number>;
  contextSnapshot: NullableJson;
  /** 0008: `[{key, source: "builtin" | "company", versionId}]` when the adapter mounts skills, else null. */
  mountedSkills: NullableJson;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface HeartbeatRunEventTable {
  /** bigserial */
  id: Generated<number>;
  companyId: string;
  runId: string;
  agentId: string;
  seq: number;
  eventType: string;
  stream: string | null;
  level: string | null;
  color: string | null;
  message: string | null;
  payload: NullableJson;
  createdAt: Timestamp;
}

/** Our "postgres" run-log store; PK (run_id, seq); `content` holds NDJSON lines. */
export interface HeartbeatRunLogChunkTable {
  runId: string;
  seq: number;
  attempt: Generated<number>;
  stream: RunLogStream;
  byteOffset: number;
  byteLength: number;
  content: string;
  createdAt: Timestamp;
}

// ------------------------------------------------------------------ goals, projects, workspaces

export interface GoalTable {
  id: Generated<string>;
  companyId: string;
  title: string;
  description: string | null;
  level: Generated<GoalLevel>;
  /** planned | active | achieved | cancelled */
  status: Generated<string>;
  parentId: string | null;
  ownerAgentId: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface ProjectTable {
  id: Generated<string>;
  companyId: string;
  goalId: string | null;
  name: string;
  description: string | null;
  /** backlog | planned | in_progress | completed | cancelled */
  status: Generated<string>;
  leadAgentId: string | null;
  targetDate: NullableDate;
  color: string | null;
  pauseReason: string | null;
  pausedAt: NullableTimestamp;
  executionWorkspacePolicy: NullableJson;
  archivedAt: NullableTimestamp;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface ProjectGoalTable {
  projectId: string;
  goalId: string;
  companyId: string;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface ProjectWorkspaceTable {
  id: Generated<string>;
  companyId: string;
  projectId: string;
  name: string;
  sourceType: Generated<string>;
  cwd: string | null;
  repoUrl: string | null;
  repoRef: string | null;
  defaultRef: string | null;
  visibility: Generated<string>;
  setupCommand: string | null;
  cleanupCommand: string | null;
  remoteProvider: string | null;
  remoteWorkspaceRef: string | null;
  sharedWorkspaceKey: string | null;
  metadata: NullableJson;
  isPrimary: Generated<boolean>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface ExecutionWorkspaceTable {
  id: Generated<string>;
  companyId: string;
  projectId: string;
  projectWorkspaceId: string | null;
  sourceIssueId: string | null;
  mode: string;
  strategyType: string;
  name: string;
  status: Generated<string>;
  cwd: string | null;
  repoUrl: string | null;
  baseRef: string | null;
  branchName: string | null;
  providerType: Generated<string>;
  providerRef: string | null;
  derivedFromExecutionWorkspaceId: string | null;
  lastUsedAt: Timestamp;
  openedAt: Timestamp;
  closedAt: NullableTimestamp;
  cleanupEligibleAt: NullableTimestamp;
  cleanupReason: string | null;
  metadata: NullableJson;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

// ------------------------------------------------------------------ issues

export interface IssueTable {
  id: Generated<string>;
  companyId: string;
  projectId: string | null;
  projectWorkspaceId: string | null;
  goalId: string | null;
  parentId: string | null;
  title: string;
  description: string | null;
  status: Generated<IssueStatus>;
  priority: Generated<IssuePriority>;
  assigneeAgentId: string | null;
  assigneeUserId: string | null;
  checkoutRunId: string | null;
  executionRunId: string | null;
  executionAgentNameKey: string | null;
  executionLockedAt: NullableTimestamp;
  createdByAgentId: string | null;
  createdByUserId: string | null;
  issueNumber: number | null;
  identifier: string | null;
  originKind: Generated<string>;
  originId: string | null;
  originRunId: string | null;
  requestDepth: Generated<number>;
  billingCode: string | null;
  assigneeAdapterOverrides: NullableJson;
  executionWorkspaceId: string | null;
  executionWorkspacePreference: string | null;
  executionWorkspaceSettings: NullableJson;
  startedAt: NullableTimestamp;
  completedAt: NullableTimestamp;
  cancelledAt: NullableTimestamp;
  hiddenAt: NullableTimestamp;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface IssueCommentTable {
  id: Generated<string>;
  companyId: string;
  issueId: string;
  authorAgentId: string | null;
  authorUserId: string | null;
  body: string;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface LabelTable {
  id: Generated<string>;
  companyId: string;
  name: string;
  color: string;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface IssueLabelTable {
  issueId: string;
  labelId: string;
  companyId: string;
  createdAt: Timestamp;
}

export interface IssueReadStateTable {
  id: Generated<string>;
  companyId: string;
  issueId: string;
  userId: string;
  lastReadAt: Timestamp;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

// ------------------------------------------------------------------ approvals

export interface ApprovalTable {
  id: Generated<string>;
  companyId: string;
  /** hire_agent | approve_ceo_strategy | budget_override_required */
  type: string;
  requestedByAgentId: string | null;
  requestedByUserId: string | null;
  status: Generated<ApprovalStatus>;
  payload: Json;
  decisionNote: string | null;
  decidedByUserId: string | null;
  decidedAt: NullableTimestamp;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface ApprovalCommentTable {
  id: Generated<string>;
  companyId: string;
  approvalId: string;
  authorAgentId: string | null;
  authorUserId: string | null;
  body: string;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface IssueApprovalTable {
  companyId: string;
  issueId: string;
  approvalId: string;
  linkedByAgentId: string | null;
  linkedByUserId: string | null;
  createdAt: Timestamp;
}

// ------------------------------------------------------------------ costs & budgets

export interface CostEventTable {
  id: Generated<string>;
  companyId: string;
  agentId: string;
  issueId: string | null;
  projectId: string | null;
  goalId: string | null;
  heartbeatRunId: string | null;
  billingCode: string | null;
  provider: string;
  biller: Generated<string>;
  billingType: Generated<string>;
  model: string;
  inputTokens: Generated<number>;
  cachedInputTokens: Generated<number>;
  outputTokens: Generated<number>;
  costCents: number;
  occurredAt: RequiredTimestamp;
  createdAt: Timestamp;
}

export interface FinanceEventTable {
  id: Generated<string>;
  companyId: string;
  agentId: string | null;
  issueId: string | null;
  projectId: string | null;
  goalId: string | null;
  heartbeatRunId: string | null;
  costEventId: string | null;
  billingCode: string | null;
  description: string | null;
  eventKind: string;
  direction: Generated<string>;
  biller: string;
  provider: string | null;
  executionAdapterType: string | null;
  pricingTier: string | null;
  region: string | null;
  model: string | null;
  quantity: number | null;
  unit: string | null;
  amountCents: number;
  currency: Generated<string>;
  estimated: Generated<boolean>;
  externalInvoiceId: string | null;
  metadataJson: NullableJson;
  occurredAt: RequiredTimestamp;
  createdAt: Timestamp;
}

export interface BudgetPolicyTable {
  id: Generated<string>;
  companyId: string;
  /** company | agent | project */
  scopeType: string;
  scopeId: string;
  metric: Generated<string>;
  /** calendar_month_utc | lifetime */
  windowKind: string;
  amount: Generated<number>;
  warnPercent: Generated<number>;
  hardStopEnabled: Generated<boolean>;
  notifyEnabled: Generated<boolean>;
  isActive: Generated<boolean>;
  createdByUserId: string | null;
  updatedByUserId: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface BudgetIncidentTable {
  id: Generated<string>;
  companyId: string;
  policyId: string;
  scopeType: string;
  scopeId: string;
  metric: string;
  windowKind: string;
  windowStart: RequiredTimestamp;
  windowEnd: RequiredTimestamp;
  /** soft | hard */
  thresholdType: string;
  amountLimit: number;
  amountObserved: number;
  status: Generated<string>;
  approvalId: string | null;
  resolvedAt: NullableTimestamp;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

// ------------------------------------------------------------------ activity

export interface ActivityLogTable {
  id: Generated<string>;
  companyId: string;
  /** user | agent | system */
  actorType: Generated<string>;
  actorId: string;
  action: string;
  entityType: string;
  entityId: string;
  agentId: string | null;
  runId: string | null;
  details: NullableJson;
  createdAt: Timestamp;
}

// ------------------------------------------------------------------ secrets

export interface CompanySecretTable {
  id: Generated<string>;
  companyId: string;
  name: string;
  provider: Generated<string>;
  externalRef: string | null;
  latestVersion: Generated<number>;
  description: string | null;
  createdByAgentId: string | null;
  createdByUserId: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface CompanySecretVersionTable {
  id: Generated<string>;
  secretId: string;
  version: number;
  material: RequiredJson;
  valueSha256: string;
  createdByAgentId: string | null;
  createdByUserId: string | null;
  createdAt: Timestamp;
  revokedAt: NullableTimestamp;
}

// ------------------------------------------------------------------ skills & documents

export interface CompanySkillTable {
  id: Generated<string>;
  companyId: string;
  key: string;
  slug: string;
  name: string;
  description: string | null;
  markdown: string;
  sourceType: Generated<string>;
  sourceLocator: string | null;
  sourceRef: string | null;
  trustLevel: Generated<string>;
  compatibility: Generated<string>;
  fileInventory: Json;
  metadata: NullableJson;
  /** 0008: who added the skill. */
  createdByAgentId: string | null;
  createdByUserId: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface DocumentTable {
  id: Generated<string>;
  companyId: string;
  title: string | null;
  format: Generated<string>;
  latestBody: string;
  latestRevisionId: string | null;
  latestRevisionNumber: Generated<number>;
  createdByAgentId: string | null;
  createdByUserId: string | null;
  updatedByAgentId: string | null;
  updatedByUserId: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface DocumentRevisionTable {
  id: Generated<string>;
  companyId: string;
  documentId: string;
  revisionNumber: number;
  body: string;
  changeSummary: string | null;
  createdByAgentId: string | null;
  createdByUserId: string | null;
  createdAt: Timestamp;
}

export interface IssueDocumentTable {
  id: Generated<string>;
  companyId: string;
  issueId: string;
  documentId: string;
  key: string;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

// ------------------------------------------------------------------ database

export interface Database {
  users: UserTable;
  sessions: SessionTable;
  instance_settings: InstanceSettingsTable;
  instance_user_roles: InstanceUserRoleTable;
  board_api_keys: BoardApiKeyTable;
  companies: CompanyTable;
  company_memberships: CompanyMembershipTable;
  principal_permission_grants: PrincipalPermissionGrantTable;
  agents: AgentTable;
  agent_api_keys: AgentApiKeyTable;
  agent_config_revisions: AgentConfigRevisionTable;
  agent_runtime_state: AgentRuntimeStateTable;
  agent_task_sessions: AgentTaskSessionTable;
  agent_wakeup_requests: AgentWakeupRequestTable;
  heartbeat_runs: HeartbeatRunTable;
  heartbeat_run_events: HeartbeatRunEventTable;
  heartbeat_run_log_chunks: HeartbeatRunLogChunkTable;
  goals: GoalTable;
  projects: ProjectTable;
  project_goals: ProjectGoalTable;
  project_workspaces: ProjectWorkspaceTable;
  execution_workspaces: ExecutionWorkspaceTable;
  issues: IssueTable;
  issue_comments: IssueCommentTable;
  labels: LabelTable;
  issue_labels: IssueLabelTable;
  issue_read_states: IssueReadStateTable;
  approvals: ApprovalTable;
  approval_comments: ApprovalCommentTable;
  issue_approvals: IssueApprovalTable;
  cost_events: CostEventTable;
  finance_events: FinanceEventTable;
  budget_policies: BudgetPolicyTable;
  budget_incidents: BudgetIncidentTable;
  activity_log: ActivityLogTable;
  company_secrets: CompanySecretTable;
  company_secret_versions: CompanySecretVersionTable;
  company_skills: CompanySkillTable;
  documents: DocumentTable;
  document_revisions: DocumentRevisionTable;
  issue_documents: IssueDocumentTable;
}

// ------------------------------------------------------------------ row aliases

export type Company = Selectable<CompanyTable>;
export type NewCompany = Insertable<CompanyTable>;
export type CompanyUpdate = Updateable<CompanyTable>;

export type Agent = Selectable<AgentTable>;
export type NewAgent = Insertable<AgentTable>;
export type AgentUpdate = Updateable<AgentTable>;

export type AgentWakeupRequest = Selectable<AgentWakeupRequestTable>;
export type NewAgentWakeupRequest = Insertable<AgentWakeupRequestTable>;
export type AgentWakeupRequestUpdate = Updateable<AgentWakeupRequestTable>;

export type HeartbeatRun = Selectable<HeartbeatRunTable>;
export type NewHeartbeatRun = Insertable<HeartbeatRunTable>;
export type HeartbeatRunUpdate = Updateable<HeartbeatRunTable>;

export type HeartbeatRunEvent = Selectable<HeartbeatRunEventTable>;
export type NewHeartbeatRunEvent = Insertable<HeartbeatRunEventTable>;

export type HeartbeatRunLogChunk = Selectable<HeartbeatRunLogChunkTable>;
export type NewHeartbeatRunLogChunk = Insertable<HeartbeatRunLogChunkTable>;

export type Issue = Selectable<IssueTable>;
export type NewIssue = Insertable<IssueTable>;
export type IssueUpdate = Updateable<IssueTable>;

export type IssueComment = Selectable<IssueCommentTable>;
export type NewIssueComment = Insertable<IssueCommentTable>;

export type AgentRuntimeState = Selectable<AgentRuntimeStateTable>;
export type AgentTaskSession = Selectable<AgentTaskSessionTable>;
export type Approval = Selectable<ApprovalTable>;
export type CostEvent = Selectable<CostEventTable>;
export type NewCostEvent = Insertable<CostEventTable>;
export type ActivityLogEntry = Selectable<ActivityLogTable>;
export type NewActivityLogEntry = Insertable<ActivityLogTable>;
export type User = Selectable<UserTable>;
export type Session = Selectable<SessionTable>;
