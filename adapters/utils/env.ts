/**
 * Environment for agent processes. Built from an allow-list — never from the server's whole
 * `process.env` — so an agent cannot read the server's database URL, keys or cloud credentials.
 */
import { readRuntimeSkills, runtimeSkillsRoot } from "./runtime-skills.js";

/** Server variables a child may inherit: enough for a shell, a locale and a toolchain to work. */
export const INHERITED_ENV_ALLOW_LIST = [
  "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TERM", "TZ", "TMPDIR",
  "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR",
] as const;

const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** `PAPERCLIP_*` and `SWITCHBOARD_*` are the runtime's namespaces: config may not forge these. */
export function isRuntimeEnvKey(key: string): boolean {
  return key.startsWith("PAPERCLIP_") || key.startsWith("SWITCHBOARD_");
}

export function inheritedEnv(source: Record<string, string | undefined> = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of INHERITED_ENV_ALLOW_LIST) {
    const value = source[key];
    if (typeof value === "string") env[key] = value;
  }
  env.PATH ??= DEFAULT_PATH;
  return env;
}

export interface PaperclipEnvInput {
  agentId: string;
  companyId: string;
  apiUrl: string;
  runId: string;
  authToken?: string | undefined;
  context?: Record<string, unknown>;
}

/** The variables every run gets; names match Paperclip's so existing agents and skills work. */
export function buildPaperclipEnv(input: PaperclipEnvInput): Record<string, string> {
  const env: Record<string, string> = {
    PAPERCLIP_AGENT_ID: input.agentId,
    PAPERCLIP_COMPANY_ID: input.companyId,
    PAPERCLIP_API_URL: input.apiUrl,
    PAPERCLIP_RUN_ID: input.runId,
  };
  if (input.authToken) env.PAPERCLIP_API_KEY = input.authToken;
  const ctx = input.context ?? {};
  const str = (v: unknown) => (typeof v === "string" && v.length > 0 ? v : undefined);
  const taskId = str(ctx.taskId) ?? str(ctx.issueId);
  if (taskId) env.PAPERCLIP_TASK_ID = taskId;
  const wakeReason = str(ctx.wakeReason);
  if (wakeReason) env.PAPERCLIP_WAKE_REASON = wakeReason;
  const commentId = str(ctx.wakeCommentId) ?? str(ctx.commentId);
  if (commentId) env.PAPERCLIP_WAKE_COMMENT_ID = commentId;
  const approvalId = str(ctx.approvalId);
  if (approvalId) env.PAPERCLIP_APPROVAL_ID = approvalId;
  const approvalStatus = str(ctx.approvalStatus);
  if (approvalStatus) env.PAPERCLIP_APPROVAL_STATUS = approvalStatus;
  if (Array.isArray(ctx.issueIds) && ctx.issueIds.length > 0) {
    env.PAPERCLIP_LINKED_ISSUE_IDS = ctx.issueIds.filter((v) => typeof v === "string").join(",");
  }
  return env;
}

/**
 * Final child env: allow-listed inheritance, then the agent's configured env (string values only,
 * no runtime keys), then the runtime's own variables, which always win.
 */
export function composeChildEnv(
  configEnv: unknown,
  runtimeEnv: Record<string, string>,
  source: Record<string, string | undefined> = process.env,
): Record<string, string> {
  const env = inheritedEnv(source);
  if (configEnv && typeof configEnv === "object" && !Array.isArray(configEnv)) {
    for (const [key, value] of Object.entries(configEnv as Record<string, unknown>)) {
      if (typeof value === "string" && !isRuntimeEnvKey(key)) env[key] = value;
    }
  }
  return { ...env, ...runtimeEnv };
}

const SECRET_KEY_PATTERN = /(key|token|secret|password|passwd|authorization|cookie|credential)/i;

/** For logs and the invocation card: values of secret-looking keys are replaced. */
export function redactEnv(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, SECRET_KEY_PATTERN.test(k) ? "***REDACTED***" : v]));
}

/**
 * The working directory of a run: the configured `cwd`, else the realised workspace's, else the
 * agent's home (executeRun always provides one).
 */
export function runCwd(ctx: { context: Record<string, unknown> }, configuredCwd: string | undefined): string {
  if (configuredCwd) return configuredCwd;
  const workspace = (ctx.context.paperclipWorkspace ?? {}) as Record<string, unknown>;
  return typeof workspace.cwd === "string" && workspace.cwd ? workspace.cwd : process.cwd();
}

const WORKSPACE_ENV: Array<[string, string]> = [
  ["source", "PAPERCLIP_WORKSPACE_SOURCE"],
  ["strategy", "PAPERCLIP_WORKSPACE_STRATEGY"],
  ["workspaceId", "PAPERCLIP_WORKSPACE_ID"],
  ["repoUrl", "PAPERCLIP_WORKSPACE_REPO_URL"],
  ["repoRef", "PAPERCLIP_WORKSPACE_REPO_REF"],
  ["branchName", "PAPERCLIP_WORKSPACE_BRANCH"],
  ["worktreePath", "PAPERCLIP_WORKSPACE_WORKTREE_PATH"],
  ["agentHome", "AGENT_HOME"],
];

/**
 * Every runtime variable a run's process gets, the same for every built-in adapter (Paperclip gives
 * the process adapter none of the wake or workspace ones; Switchboard gives all of them to all):
 * identity, API URL and run token, wake variables, `PAPERCLIP_WAKE_PAYLOAD_JSON`, workspace variables.
 */
export function buildRunEnv(
  ctx: { runId: string; agent: { id: string; companyId: string }; context: Record<string, unknown>; authToken?: string | undefined; config?: Record<string, unknown> },
  cwd: string,
): Record<string, string> {
  const apiUrl = typeof ctx.context.paperclipApiUrl === "string" ? ctx.context.paperclipApiUrl : "";
  const env = buildPaperclipEnv({ agentId: ctx.agent.id, companyId: ctx.agent.companyId, apiUrl, runId: ctx.runId, authToken: ctx.authToken, context: ctx.context });
  const wake = ctx.context.paperclipWake;
  if (wake && typeof wake === "object") env.PAPERCLIP_WAKE_PAYLOAD_JSON = JSON.stringify(wake);
  if (typeof ctx.context.issueWorkMode === "string") env.PAPERCLIP_ISSUE_WORK_MODE = ctx.context.issueWorkMode;
  env.PAPERCLIP_WORKSPACE_CWD = cwd;
  const workspace = (ctx.context.paperclipWorkspace ?? {}) as Record<string, unknown>;
  for (const [key, name] of WORKSPACE_ENV) {
    const value = workspace[key];
    if (typeof value === "string" && value) env[name] = value;
  }
  if (Array.isArray(ctx.context.paperclipWorkspaces)) env.PAPERCLIP_WORKSPACES_JSON = JSON.stringify(ctx.context.paperclipWorkspaces);
  // The run's private skills directory (one `<key>/SKILL.md` per mounted skill), when it has skills.
  const skillsDir = runtimeSkillsRoot(readRuntimeSkills(ctx.config));
  if (skillsDir) env.PAPERCLIP_SKILLS_DIR = skillsDir;
  return env;
}
