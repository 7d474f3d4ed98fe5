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

/** A structured event an adapter reports beside its raw output (shown in the run viewer). */
export interface AdapterRuntimeEvent {
  eventType: string;
  stream?: "stdout" | "stderr" | "system";
  level?: "info" | "warn" | "error";
  color?: string;
  message?: string;
  payload?: Record<string, unknown>;
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
  onEvent?: (event: AdapterRuntimeEvent) => Promise<void>;
  /** Called by adapters without a local process just before the remote call. */
  onDispatch?: () => void;
  /** Run JWT, present when the adapter declares `supportsLocalAgentJwt`. */
  authToken?: string;
  /** Aborted when the run is cancelled or its activity attempt is abandoned. */
  signal?: AbortSignal;
  /**
   * Switchboard: a signed URL a remote agent posts its log lines and final result to, given to
   * adapters that declare `usesRunCallback` (the `http` adapter's async mode).
   */
  runCallback?: { url: string; expiresAt: string };
}

/**
 * Token counts of a run, as stored in cost_events. `inputTokens` is the UNCACHED input only and
 * `cachedInputTokens` the input read from a prompt cache, so no token is counted twice. Claude's
 * `input_tokens` already excludes `cache_read_input_tokens`; runtimes whose input total includes the
 * cached part (OpenAI/Codex `input_tokens` with `cached_input_tokens`, Gemini's prompt count) report
 * `inputTokens = total − cached`, never negative (adapters/utils/usage.ts).
 */
export interface UsageSummary {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
}

export type AdapterExecutionErrorFamily =
  | "transient_upstream"
  | "provider_quota"
  | "model_refusal"
  | "refresh_token_reused"
  | "refresh_token_expired"
  | "refresh_token_invalidated";

export interface AdapterExecutionResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  errorMessage?: string | null;
  errorCode?: string | null;
  /** Drives retry classification; `provider_quota` comes with `retryNotBefore`. */
  errorFamily?: AdapterExecutionErrorFamily | null;
  /** ISO time before which retrying is pointless (a quota window resets then). */
  retryNotBefore?: string | null;
  errorMeta?: Record<string, unknown> | null;
  usage?: UsageSummary;
  usageBasis?: "per_run" | "session_cumulative" | null;
  sessionId?: string | null;
  sessionParams?: Record<string, unknown> | null;
  sessionDisplayId?: string | null;
  clearSession?: boolean;
  provider?: string | null;
  biller?: string | null;
  model?: string | null;
  billingType?: string | null;
  costUsd?: number | null;
  cacheAdjustedCostUsd?: number | null;
  resultJson?: Record<string, unknown> | null;
  summary?: string | null;
  /** Switchboard: the remote agent accepted the run and will post its result to `ctx.runCallback` within this time. */
  awaitCallback?: { timeoutSec: number } | null;
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
  deployment?: { mode?: "local_trusted" | "authenticated"; exposure?: "private" | "public"; bindHost?: string; allowedHostnames?: string[] };
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

export interface AdapterModel {
  id: string;
  label: string;
}

export interface AdapterSessionManagement {
  supportsSessionResume: boolean;
  nativeContextManagement: "confirmed" | "likely" | "unknown" | "none";
  defaultSessionCompaction?: unknown;
}

export interface ServerAdapterModule {
  type: string;
  execute(ctx: AdapterExecutionContext): Promise<AdapterExecutionResult>;
  testEnvironment(ctx: AdapterEnvironmentTestContext): Promise<AdapterEnvironmentTestResult>;
  sessionCodec?: AdapterSessionCodec;
  sessionManagement?: AdapterSessionManagement;
  supportsLocalAgentJwt?: boolean;
  runtimeToolDelivery?: "native_mcp" | "environment" | "invocation_context";
  models?: AdapterModel[];
  listModels?: () => Promise<AdapterModel[]>;
  agentConfigurationDoc?: string;
  detectModel?: () => Promise<{ model: string; provider: string; source: string; candidates?: string[] } | null>;
  getConfigSchema?: () => unknown;
  supportsInstructionsBundle?: boolean;
  requiresMaterializedRuntimeSkills?: boolean;
  /** Optional parts Switchboard does not call yet (skills, quota windows, hire hooks) pass through. */
  [extra: string]: unknown;
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
  /** The adapter may hand the run to a remote agent that reports back (gets `ctx.runCallback`). */
  usesRunCallback?: boolean;
}

// ---- UI and CLI parts (pure functions; the board UI and the CLI import them) ----

/** One rendered line of a run transcript; `ts` is the log line's timestamp. Same union as Paperclip's first nine kinds. */
export type TranscriptEntry =
  | { kind: "assistant"; ts: string; text: string; delta?: boolean; channel?: "progress" | "final" | "unknown" }
  | { kind: "thinking"; ts: string; text: string; delta?: boolean }
  | { kind: "user"; ts: string; text: string }
  | { kind: "tool_call"; ts: string; name: string; input: unknown; toolUseId?: string }
  | { kind: "tool_result"; ts: string; toolUseId: string; toolName?: string; content: string; isError: boolean }
  | { kind: "init"; ts: string; model: string; sessionId: string }
  | {
      kind: "result";
      ts: string;
      text: string;
      inputTokens: number;
      outputTokens: number;
      cachedTokens: number;
      costUsd: number;
      subtype: string;
      isError: boolean;
      errors: string[];
    }
  | { kind: "stderr" | "system" | "stdout"; ts: string; text: string };

/** ui part: one stdout line of the runtime → transcript entries (deterministic; never throws on bad input). */
export type StdoutLineParser = (line: string, ts: string) => TranscriptEntry[];

/** ui part: the values of the create-agent form, as the board UI collects them (all optional strings/booleans). */
export interface AdapterFormValues {
  cwd?: string;
  model?: string;
  command?: string;
  /** Arguments as typed in the form: comma- or newline-separated. */
  args?: string;
  extraArgs?: string;
  promptTemplate?: string;
  /** `KEY=VALUE` per line. */
  envVars?: string;
  timeoutSec?: number | string;
  graceSec?: number | string;
  url?: string;
  [field: string]: unknown;
}

/** ui part: form values → `adapterConfig` (only the keys the user filled). */
export type AdapterConfigBuilder = (values: AdapterFormValues) => Record<string, unknown>;

/** cli part: one stdout line → a terminal line (null = print nothing). `debug` shows raw events too. */
export type CliEventFormatter = (line: string, debug: boolean) => string | null;

export interface AdapterUiModule {
  parseStdoutLine: StdoutLineParser;
  buildConfig: AdapterConfigBuilder;
}

export interface AdapterCliModule {
  formatStdoutEvent: CliEventFormatter;
}
