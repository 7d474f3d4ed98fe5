/**
 * `openclaw_gateway`: the agent is an OpenClaw agent behind an OpenClaw gateway, reached over its
 * WebSocket protocol (no local process). Each heartbeat sends the rendered prompt as `req agent` on a
 * session key that follows the task, waits with `agent.wait`, and reports the run's tokens, cost and
 * final text. Metadata and the registry entry live here; the protocol lives in server/.
 */
import type { BuiltinAdapter, ServerAdapterModule } from "../types.js";
import { schemaConfigValidator } from "../utils/adapter-config.js";
import { openclawGatewayStoredConfigSchema } from "./config.js";
import { OPENCLAW_GATEWAY_TYPE, executeOpenClawGateway } from "./server/execute.js";
import { sessionKeyCodec } from "./server/session.js";
import { testOpenClawGatewayEnvironment } from "./server/test.js";

export const type = OPENCLAW_GATEWAY_TYPE;
export const label = "OpenClaw Gateway";
/** OpenClaw picks the model per agent on the gateway side; there is nothing to choose here. */
export const models: { id: string; label: string }[] = [];

/** Socket close and log flush after the overall timeout. */
const CLOSE_GRACE_SEC = 30;

export const agentConfigurationDoc = [
  "# openclaw_gateway adapter",
  "Runs each heartbeat on an OpenClaw agent through an OpenClaw gateway's WebSocket protocol.",
  "Connection:",
  "- url (string, required): ws://host:port or wss://host (OpenClaw listens on 18789 by default); ws:// to another machine is allowed but warned about",
  "- authToken or token (string): the gateway's shared token (gateway.auth.token); also read from headers.x-openclaw-token, headers.x-openclaw-auth or an Authorization: Bearer header",
  "- password (string): shared-password auth mode",
  "- headers (object of strings): extra WebSocket upgrade headers",
  "Client identity: clientId (default gateway-client), clientMode (default backend), clientVersion, role (default operator), scopes (string[], default [\"operator.admin\"]).",
  "Device identity: an Ed25519 key signs the gateway's connect challenge. devicePrivateKeyPem (PKCS#8 PEM) pins one; otherwise each agent gets one generated on first use and kept in its home (mode 0600), so the gateway pairs it once. disableDeviceAuth: true sends no device block.",
  "Request:",
  "- promptTemplate (string): the message sent as agent.message ({{agent.name}}, {{runId}}, {{taskId}}, {{wakeReason}}, …)",
  "- payloadTemplate (object): extra agent request fields (e.g. thinking, deliver); its message/text become a prefix of the prompt; idempotencyKey (= run id) and sessionKey are always the adapter's",
  "- agentId (string): the OpenClaw agent to address; also namespaces session keys as agent:<id>:…",
  "- timeoutSec (number, default 120, 0 = none): bound on the whole run → errorCode timeout",
  "- waitTimeoutMs (number): agent.wait timeout (default timeoutSec) → errorCode openclaw_gateway_wait_timeout",
  "Sessions: sessionKeyStrategy issue (default: one OpenClaw session per task, paperclip:issue:<taskId>; fixed key when there is no task) | fixed (sessionKey, default paperclip) | run (a new session each run). The key is stored as the task's session and reused by the next run.",
  "Usage, cost, provider and model come from the final agent result (result.meta.agentMeta); the summary is the final assistant text.",
].join("\n");

export const openclawGatewayModule: ServerAdapterModule = {
  type,
  execute: executeOpenClawGateway,
  testEnvironment: testOpenClawGatewayEnvironment,
  sessionCodec: sessionKeyCodec,
  sessionManagement: { supportsSessionResume: true, nativeContextManagement: "confirmed" },
  supportsLocalAgentJwt: false,
  runtimeToolDelivery: "invocation_context",
  models,
  agentConfigurationDoc,
};

export const openclawGatewayAdapter: BuiltinAdapter = {
  module: openclawGatewayModule,
  validateConfig: schemaConfigValidator(openclawGatewayStoredConfigSchema),
  maxRunSeconds(config) {
    const parsed = openclawGatewayStoredConfigSchema.safeParse(config ?? {});
    if (!parsed.success || parsed.data.timeoutSec === 0) return 24 * 3600;
    return parsed.data.timeoutSec + CLOSE_GRACE_SEC;
  },
};
