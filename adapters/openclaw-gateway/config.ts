/**
 * `adapterConfig` of `openclaw_gateway`: where the OpenClaw gateway is (`url`, ws:// or wss://), how
 * to authenticate (token / password / headers, Ed25519 device identity), which client identity to
 * announce, how to route conversations (`sessionKeyStrategy`) and how long to wait. Validated on
 * agent create/PATCH, so a bad URL or a mangled device key is a 422, not a failed run later.
 */
import crypto from "node:crypto";
import { z } from "zod";
import { envValueSchema } from "../../core/secrets/env-bindings.js";

export const DEFAULT_TIMEOUT_SEC = 120;
export const DEFAULT_CLIENT_ID = "gateway-client";
export const DEFAULT_CLIENT_MODE = "backend";
export const DEFAULT_CLIENT_VERSION = "switchboard";
export const DEFAULT_ROLE = "operator";
export const DEFAULT_SCOPES = ["operator.admin"];
export const DEFAULT_FIXED_SESSION_KEY = "paperclip";

/** Why a `url` is unusable, or null when it is a ws:// or wss:// URL. Shared with testEnvironment. */
export function gatewayUrlProblem(raw: unknown): { code: "missing" | "invalid" | "protocol_invalid"; message: string } | null {
  if (typeof raw !== "string" || !raw.trim()) return { code: "missing", message: "url is required: the gateway's WebSocket address, such as ws://127.0.0.1:18789" };
  let parsed: URL;
  try {
    parsed = new URL(raw.trim());
  } catch {
    return { code: "invalid", message: `url "${raw}" is not a valid URL; use ws://host:port or wss://host` };
  }
  if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") {
    return { code: "protocol_invalid", message: `url must start with ws:// or wss:// (got ${parsed.protocol}//): the OpenClaw gateway speaks WebSocket` };
  }
  return null;
}

function isEd25519PrivateKey(pem: string): boolean {
  try {
    return crypto.createPrivateKey(pem).asymmetricKeyType === "ed25519";
  } catch {
    return false;
  }
}

const nonEmpty = (what: string) => z.string({ error: `${what} must be a string` }).trim().min(1, `${what} must not be empty`);

export const openclawGatewayConfigSchema = z
  .object({
    url: z.string({ error: "url is required: the gateway's WebSocket address, such as ws://127.0.0.1:18789" }).superRefine((value, ctx) => {
      const problem = gatewayUrlProblem(value);
      if (problem) ctx.addIssue({ code: "custom", message: problem.message });
    }),
    headers: z.record(z.string(), z.string({ error: "every header value must be a string" }), { error: "headers must be an object of header name → string value" }).default({}),
    authToken: nonEmpty("authToken").optional(),
    token: nonEmpty("token").optional(),
    password: nonEmpty("password").optional(),
    clientId: nonEmpty("clientId").default(DEFAULT_CLIENT_ID),
    clientMode: nonEmpty("clientMode").default(DEFAULT_CLIENT_MODE),
    clientVersion: nonEmpty("clientVersion").default(DEFAULT_CLIENT_VERSION),
    role: nonEmpty("role").default(DEFAULT_ROLE),
    scopes: z
      .array(nonEmpty("every scope"), { error: 'scopes must be an array of strings such as ["operator.admin"]' })
      .min(1, "scopes must name at least one scope")
      .default(DEFAULT_SCOPES),
    disableDeviceAuth: z.boolean({ error: "disableDeviceAuth must be true or false" }).default(false),
    devicePrivateKeyPem: z
      .string({ error: "devicePrivateKeyPem must be a PEM string" })
      .refine(isEd25519PrivateKey, "devicePrivateKeyPem must be an Ed25519 private key in PEM (PKCS#8) form, such as the output of `openssl genpkey -algorithm ed25519`")
      .optional(),
    /** OpenClaw agent to address (`agent.agentId`); also namespaces the session key. */
    agentId: nonEmpty("agentId").optional(),
    promptTemplate: z.string().min(1, "promptTemplate must not be empty").optional(),
    payloadTemplate: z.record(z.string(), z.unknown(), { error: "payloadTemplate must be an object of extra agent request fields" }).default({}),
    timeoutSec: z.number({ error: "timeoutSec must be a number of seconds" }).min(0).max(7 * 24 * 3600).default(DEFAULT_TIMEOUT_SEC),
    waitTimeoutMs: z.number({ error: "waitTimeoutMs must be a number of milliseconds" }).int("waitTimeoutMs must be a whole number").positive("waitTimeoutMs must be positive").max(7 * 24 * 3600 * 1000).optional(),
    sessionKeyStrategy: z.enum(["issue", "fixed", "run"], { error: 'sessionKeyStrategy must be "issue", "fixed" or "run"' }).default("issue"),
    sessionKey: nonEmpty("sessionKey").default(DEFAULT_FIXED_SESSION_KEY),
  })
  .passthrough();


/**
 * What an agent row may store: the credentials (`authToken`, `token`, `password`, header values) may
 * also be secret bindings, resolved to strings only when a run starts (core/secrets/resolve-env.ts).
 */
export const openclawGatewayStoredConfigSchema = openclawGatewayConfigSchema.extend({
  headers: z.record(z.string(), envValueSchema, { error: "headers must be an object of header name → string value or secret binding" }).default({}),
  authToken: z.union([nonEmpty("authToken"), envValueSchema]).optional(),
  token: z.union([nonEmpty("token"), envValueSchema]).optional(),
  password: z.union([nonEmpty("password"), envValueSchema]).optional(),
});

export type OpenClawGatewayConfig = z.infer<typeof openclawGatewayConfigSchema>;

function headerValue(headers: Record<string, string>, name: string): string | null {
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  const value = entry?.[1]?.trim();
  return value ? value : null;
}

/**
 * The shared gateway token, from wherever the user put it: `authToken`/`token`, the `x-openclaw-token`
 * header, the legacy `x-openclaw-auth` header, or `Authorization: Bearer …`.
 */
export function resolveGatewayToken(config: Pick<OpenClawGatewayConfig, "authToken" | "token" | "headers">): string | null {
  const explicit = config.authToken ?? config.token;
  if (explicit) return explicit;
  const header = headerValue(config.headers, "x-openclaw-token") ?? headerValue(config.headers, "x-openclaw-auth");
  if (header) return header;
  const authorization = headerValue(config.headers, "authorization");
  if (!authorization) return null;
  const bearer = /^bearer\s+(.+)$/i.exec(authorization);
  return bearer?.[1]?.trim() || authorization;
}

/** Upgrade-request headers: the configured ones, plus `Authorization: Bearer <token>` when none is set. */
export function upgradeHeaders(config: Pick<OpenClawGatewayConfig, "authToken" | "token" | "headers">): Record<string, string> {
  const headers = { ...config.headers };
  const token = resolveGatewayToken(config);
  if (token && !headerValue(headers, "authorization")) headers.authorization = `Bearer ${token}`;
  return headers;
}

/** Every credential in the config, so nothing that echoes one of them reaches a log or an error. */
export function configSecrets(config: Pick<OpenClawGatewayConfig, "authToken" | "token" | "password" | "headers">): string[] {
  const values = [config.authToken, config.token, config.password, resolveGatewayToken(config)];
  for (const [key, value] of Object.entries(config.headers)) {
    if (/(auth|token|secret|password|key|cookie)/i.test(key)) values.push(value);
  }
  return [...new Set(values.filter((v): v is string => typeof v === "string" && v.length >= 4))];
}

/** Replaces every known secret in `text`; used on anything the gateway sends back before it is logged. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join("***REDACTED***");
  return out;
}

/** The URL as it may be shown: no user:password, no query string (tokens travel there sometimes). */
export function displayUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname === "/" ? "" : url.pathname}`;
  } catch {
    return "(invalid url)";
  }
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}
