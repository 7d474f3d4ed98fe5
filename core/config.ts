/**
 * Switchboard configuration: read and validated once at start-up from an injectable env map
 * (tests pass their own map and never touch process.env).
 */
import os from "node:os";
import path from "node:path";
import { z } from "zod";

const bool = z
  .string()
  .transform((v) => ["1", "true", "yes", "on"].includes(v.trim().toLowerCase()));
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const EnvSchema = z.object({
  /** Port of the Fastify API (and later the board). @default 3100 */
  PORT: int(0, 65535).default(3100),
  /** Interface the API binds to. Loopback by default: local_trusted mode must never face a network. */
  HOST: z.string().min(1).default("127.0.0.1"),
  /** Where embedded Postgres, the Temporal SQLite file and other state live. @default ~/.switchboard */
  SWITCHBOARD_HOME: z.string().optional(),
  /** External Postgres. When unset, an embedded Postgres is started under SWITCHBOARD_HOME. */
  DATABASE_URL: z.string().url().optional(),
  /** Port of the embedded Postgres. @default 54329 */
  SWITCHBOARD_EMBEDDED_PG_PORT: int(1, 65535).default(54329),
  /** Existing Temporal frontend (host:port). When unset, a dev server is started under SWITCHBOARD_HOME. */
  TEMPORAL_ADDRESS: z.string().optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default("default"),
  /** Task queue of the agent and run workflows and their activities. */
  TEMPORAL_TASK_QUEUE: z.string().min(1).default("switchboard"),
  /** Temporal Cloud / TLS settings (all optional). */
  TEMPORAL_API_KEY: z.string().optional(),
  TEMPORAL_TLS: bool.optional(),
  TEMPORAL_TLS_CERT_PATH: z.string().optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().optional(),
  /** Explicit path of the `temporal` CLI binary used for the embedded dev server. */
  TEMPORAL_CLI: z.string().optional(),
  /** Ports of the embedded Temporal dev server (frontend gRPC and web UI). */
  SWITCHBOARD_TEMPORAL_PORT: int(1, 65535).default(7233),
  SWITCHBOARD_TEMPORAL_UI_PORT: int(1, 65535).default(8233),
  /** URL agents use to call back (no /api suffix, as Paperclip). @default http://<HOST>:<PORT> */
  PAPERCLIP_API_URL: z.string().url().optional(),
  /** Global cap on agent processes running at once in one worker: protects the machine. */
  SWITCHBOARD_MAX_CONCURRENT_PROCESSES: int(1, 1000).default(16),
  /** Heartbeat timeout of the activity that runs an agent process: how fast a dead worker is noticed. */
  SWITCHBOARD_RUN_HEARTBEAT_TIMEOUT_SEC: int(1, 3600).default(30),
  /** Attempts of one run's process activity (a retry happens only after a worker died). */
  SWITCHBOARD_RUN_MAX_ATTEMPTS: int(1, 10).default(2),
  /** Which roles this process plays: both (default), api only, or worker only. */
  SWITCHBOARD_ROLE: z.enum(["all", "api", "worker"]).default("all"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /**
   * `local_trusted` (default): loopback only, every request without a bearer token is the implicit board
   * user `local-board`. `authenticated`: email + password sessions, board and agent tokens.
   */
  PAPERCLIP_DEPLOYMENT_MODE: z.enum(["local_trusted", "authenticated"]).default("local_trusted"),
  /** Refuse new sign-ups (authenticated mode); the first user can still bootstrap an empty instance. */
  PAPERCLIP_AUTH_DISABLE_SIGN_UP: bool.optional(),
  /** Public origin of the board (trusted for cookie mutations besides the request's own Host). */
  PAPERCLIP_PUBLIC_URL: z.string().url().optional(),
  /** HS256 secret of run tokens. When unset, one is generated into `<home>/secrets/agent-jwt.key` (0600). */
  PAPERCLIP_AGENT_JWT_SECRET: z.string().min(16).optional(),
  /** Lifetime of a run token; it stops working earlier, as soon as its run is terminal. @default 172800 (48 h) */
  PAPERCLIP_AGENT_JWT_TTL_SECONDS: int(60, 30 * 24 * 3600).default(172_800),
  /** 32-byte secrets master key: 64 hex chars, base64, or 32 raw characters. */
  PAPERCLIP_SECRETS_MASTER_KEY: z.string().optional(),
  /** Key file used when the key is not in env. @default <home>/secrets/master.key (created 0600) */
  PAPERCLIP_SECRETS_MASTER_KEY_FILE: z.string().optional(),
});

export interface SwitchboardConfig {
  port: number;
  host: string;
  home: string;
  databaseUrl: string | undefined;
  embeddedPgPort: number;
  temporal: {
    address: string | undefined;
    namespace: string;
    taskQueue: string;
    apiKey: string | undefined;
    tls: boolean;
    tlsCertPath: string | undefined;
    tlsKeyPath: string | undefined;
    cliPath: string | undefined;
    devServerPort: number;
    devServerUiPort: number;
  };
  /** Base URL handed to agent processes as PAPERCLIP_API_URL. */
  agentApiUrl: string;
  maxConcurrentProcesses: number;
  runHeartbeatTimeoutSec: number;
  runMaxAttempts: number;
  role: "all" | "api" | "worker";
  logLevel: string;
  auth: {
    deploymentMode: "local_trusted" | "authenticated";
    disableSignUp: boolean;
    publicUrl: string | undefined;
    agentJwtSecret: string | undefined;
    agentJwtTtlSec: number;
  };
  secrets: {
    masterKey: string | undefined;
    masterKeyFile: string;
  };
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function loadConfig(env: Record<string, string | undefined> = process.env): SwitchboardConfig {
  // Empty strings mean "unset" (a common shell habit: `DATABASE_URL= npm start`).
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const home = path.resolve(e.SWITCHBOARD_HOME ?? path.join(os.homedir(), ".switchboard"));
  if (e.PAPERCLIP_DEPLOYMENT_MODE === "local_trusted" && !isLoopbackHost(e.HOST)) {
    throw new ConfigError(
      `Invalid configuration:\n  HOST: local_trusted mode treats every request as the board, so it binds to loopback only (got ${e.HOST}); set PAPERCLIP_DEPLOYMENT_MODE=authenticated to listen on a network`,
    );
  }
  const publicHost = e.HOST === "0.0.0.0" || e.HOST === "::" ? "localhost" : e.HOST;
  return {
    port: e.PORT,
    host: e.HOST,
    home,
    databaseUrl: e.DATABASE_URL,
    embeddedPgPort: e.SWITCHBOARD_EMBEDDED_PG_PORT,
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      apiKey: e.TEMPORAL_API_KEY,
      tls: e.TEMPORAL_TLS ?? Boolean(e.TEMPORAL_API_KEY || e.TEMPORAL_TLS_CERT_PATH),
      tlsCertPath: e.TEMPORAL_TLS_CERT_PATH,
      tlsKeyPath: e.TEMPORAL_TLS_KEY_PATH,
      cliPath: e.TEMPORAL_CLI,
      devServerPort: e.SWITCHBOARD_TEMPORAL_PORT,
      devServerUiPort: e.SWITCHBOARD_TEMPORAL_UI_PORT,
    },
    agentApiUrl: (e.PAPERCLIP_API_URL ?? `http://${publicHost.includes(":") ? `[${publicHost}]` : publicHost}:${e.PORT}`).replace(/\/+$/, ""),
    maxConcurrentProcesses: e.SWITCHBOARD_MAX_CONCURRENT_PROCESSES,
    runHeartbeatTimeoutSec: e.SWITCHBOARD_RUN_HEARTBEAT_TIMEOUT_SEC,
    runMaxAttempts: e.SWITCHBOARD_RUN_MAX_ATTEMPTS,
    role: e.SWITCHBOARD_ROLE,
    logLevel: e.LOG_LEVEL,
    auth: {
      deploymentMode: e.PAPERCLIP_DEPLOYMENT_MODE,
      disableSignUp: e.PAPERCLIP_AUTH_DISABLE_SIGN_UP ?? false,
      publicUrl: e.PAPERCLIP_PUBLIC_URL,
      agentJwtSecret: e.PAPERCLIP_AGENT_JWT_SECRET,
      agentJwtTtlSec: e.PAPERCLIP_AGENT_JWT_TTL_SECONDS,
    },
    secrets: {
      masterKey: e.PAPERCLIP_SECRETS_MASTER_KEY,
      masterKeyFile: path.resolve(e.PAPERCLIP_SECRETS_MASTER_KEY_FILE ?? path.join(home, "secrets", "master.key")),
    },
  };
}

function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}
