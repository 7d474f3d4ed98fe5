/**
 * The adapter contract, shaped like Paperclip's `@paperclipai/adapter-utils` types so adapters written
 * for Paperclip fit unchanged. Only the fields Switchboard reads or provides are spelled out; the
 * rest pass through as `unknown`.
 */

export interface AdapterAgent {
  id: string;
  companyId: string;
  name: string;
  adapterType: string | null;
  adapterConfig: unknown;
}

export interface AdapterRuntime {
  /** Legacy single session id. */
  sessionId: string | null;
  sessionParams: Record<string, unknown> | null;
  sessionDisplayId: string | null;
  taskKey: string | null;
}

export interface AdapterInvocationMeta {
  adapterType: string;
  command: string;
  cwd?: string;
  commandArgs?: string[];
  commandNotes?: string[];
  env?: Record<string, string>;
  prompt?: string;
  context?: Record<string, unknown>;
}

export interface AdapterExecutionContext {
  runId: string;
  agent: AdapterAgent;
  runtime: AdapterRuntime;
  config: Record<string, unknown>;
  context: Record<string, unknown>;
  onLog: (stream: "stdout" | "stderr", chunk: string) => Promise<void>;
  onMeta?: (meta: AdapterInvocationMeta) => Promise<void>;
  onSpawn?: (meta: { pid: number; processGroupId: number | null; startedAt: string }) => Promise<void>;
  /** Run JWT, present when the adapter declares `supportsLocalAgentJwt`. */
  authToken?: string;
  /** Aborted when the run is cancelled or its activity attempt is abandoned. */
  signal?: AbortSignal;
}

export interface UsageSummary {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
}

export interface AdapterExecutionResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  errorMessage?: string | null;
  errorCode?: string | null;
  usage?: UsageSummary;
  sessionId?: string | null;
  sessionParams?: Record<string, unknown> | null;
  sessionDisplayId?: string | null;
  clearSession?: boolean;
  provider?: string | null;
  biller?: string | null;
  model?: string | null;
  billingType?: string | null;
  costUsd?: number | null;
  resultJson?: Record<string, unknown> | null;
  summary?: string | null;
}

export type EnvironmentCheckLevel = "info" | "warn" | "error";

export interface AdapterEnvironmentCheck {
  code: string;
  level: EnvironmentCheckLevel;
  message: string;
  detail?: string | null;
  hint?: string | null;
}

export interface AdapterEnvironmentTestContext {
  companyId: string;
  adapterType: string;
  config: Record<string, unknown>;
}

export interface AdapterEnvironmentTestResult {
  adapterType: string;
  status: "pass" | "warn" | "fail";
  checks: AdapterEnvironmentCheck[];
  testedAt: string;
}

export interface AdapterSessionCodec {
  deserialize(raw: unknown): Record<string, unknown> | null;
  serialize(params: Record<string, unknown> | null): Record<string, unknown> | null;
  getDisplayId?: (params: Record<string, unknown> | null) => string | null;
}

export interface ServerAdapterModule {
  type: string;
  execute(ctx: AdapterExecutionContext): Promise<AdapterExecutionResult>;
  testEnvironment(ctx: AdapterEnvironmentTestContext): Promise<AdapterEnvironmentTestResult>;
  sessionCodec?: AdapterSessionCodec;
  supportsLocalAgentJwt?: boolean;
  models?: Array<{ id: string; label: string }>;
  agentConfigurationDoc?: string;
}

/**
 * Switchboard's own addition to a built-in adapter: validate `adapterConfig` when an agent is
 * created or changed, so a bad config is a 422 at once instead of a failed run later.
 * Returns human-readable problems (empty = valid).
 */
export type AdapterConfigValidator = (config: unknown) => Array<{ path: string; message: string }>;

export interface BuiltinAdapter {
  module: ServerAdapterModule;
  validateConfig: AdapterConfigValidator;
  /** Upper bound of one run in seconds (timeout + grace), used for the activity's start-to-close timeout. */
  maxRunSeconds(config: Record<string, unknown>): number;
}
