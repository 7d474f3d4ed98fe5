/**
 * The gateway handshake, shared by runs and the environment probe: open the socket, wait for
 * `connect.challenge`, answer with `req connect` (protocol range, client identity, role, scopes, shared
 * token/password, and the device block signed over the challenge nonce), and read `hello-ok`.
 *
 * Failures come back as one HandshakeError whose `kind` says what a person should do: `unreachable`
 * (nothing answers at that URL), `auth` (token, password, signature or pairing refused), `protocol`
 * (something answers but is not an OpenClaw gateway), `rejected` (any other refusal), or `aborted`.
 */
import { resolveGatewayToken, upgradeHeaders, type OpenClawGatewayConfig } from "../config.js";
import { buildDeviceAuthPayload, signDevicePayload, type DeviceIdentity } from "./device-identity.js";
import {
  GatewayAbortedError,
  GatewayClosedError,
  GatewayRequestError,
  GatewaySocket,
  GatewayTimeoutError,
  asRecord,
  type GatewayEvent,
} from "./gateway-socket.js";

/** Gateway protocol versions this client speaks (the documented protocol is 3). */
export const MIN_PROTOCOL = 3;
export const MAX_PROTOCOL = 4;

export interface HandshakeOptions {
  url: string;
  headers: Record<string, string>;
  token: string | null;
  password: string | null;
  clientId: string;
  clientMode: string;
  clientVersion: string;
  role: string;
  scopes: readonly string[];
  device: DeviceIdentity | null;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  onEvent?: (event: GatewayEvent) => void;
}

/** What the configuration decides about a handshake (where, with which credentials, as which client), for runs and the probe alike. */
export function configuredHandshake(config: OpenClawGatewayConfig): Omit<HandshakeOptions, "device" | "timeoutMs" | "signal" | "onEvent"> {
  return {
    url: config.url.trim(),
    headers: upgradeHeaders(config),
    token: resolveGatewayToken(config),
    password: config.password ?? null,
    clientId: config.clientId,
    clientMode: config.clientMode,
    clientVersion: config.clientVersion,
    role: config.role,
    scopes: config.scopes,
  };
}

export type HandshakeFailureKind = "unreachable" | "auth" | "protocol" | "rejected" | "aborted";

export class HandshakeError extends Error {
  override name = "HandshakeError";
  constructor(
    readonly kind: HandshakeFailureKind,
    message: string,
  ) {
    super(message);
  }
}

const AUTH_WORDS = /unauthori[sz]ed|forbidden|token|password|pairing|not[_ ]paired|signature|device identity|auth/i;

function classify(err: unknown, stage: "open" | "challenge" | "connect", url: string): HandshakeError {
  if (err instanceof HandshakeError) return err;
  if (err instanceof GatewayAbortedError) return new HandshakeError("aborted", err.message);
  if (err instanceof GatewayRequestError) {
    const kind = err.code === "NOT_PAIRED" || AUTH_WORDS.test(err.message) ? "auth" : "rejected";
    const hint = /pairing/i.test(err.message) || err.code === "NOT_PAIRED"
      ? " Approve this device on the gateway (openclaw devices approve --latest), or set adapterConfig.devicePrivateKeyPem to a key the gateway already paired."
      : kind === "auth"
        ? " Check adapterConfig.authToken (or password / the x-openclaw-token header) against the gateway's gateway.auth settings."
        : "";
    return new HandshakeError(kind, `The OpenClaw gateway refused the connection: ${err.message}.${hint}`);
  }
  if (err instanceof GatewayClosedError) {
    const kind = err.closeCode === 1008 && AUTH_WORDS.test(err.reason) ? "auth" : stage === "challenge" ? "protocol" : "rejected";
    return new HandshakeError(kind, `The OpenClaw gateway at ${url} closed the connection during the handshake (${err.closeCode}${err.reason ? `: ${err.reason}` : ""})`);
  }
  if (err instanceof GatewayTimeoutError) {
    return stage === "challenge"
      ? new HandshakeError("protocol", `${url} accepted the WebSocket but sent no connect.challenge (${err.message}); is this an OpenClaw gateway?`)
      : new HandshakeError("unreachable", `The OpenClaw gateway at ${url} did not complete the handshake: ${err.message}`);
  }
  const message = err instanceof Error ? err.message : String(err);
  const status = /Unexpected server response: (\d{3})/.exec(message)?.[1];
  if (status === "401" || status === "403") {
    return new HandshakeError("auth", `The OpenClaw gateway at ${url} refused the WebSocket upgrade with HTTP ${status}; check the gateway token (adapterConfig.authToken or headers)`);
  }
  if (status) return new HandshakeError("protocol", `${url} answered the WebSocket upgrade with HTTP ${status}; is this an OpenClaw gateway URL?`);
  return new HandshakeError("unreachable", `Cannot connect to the OpenClaw gateway at ${url}: ${message}. Is the gateway running and reachable from this server?`);
}

export function buildConnectParams(opts: HandshakeOptions, nonce: string, signedAtMs = Date.now()): Record<string, unknown> {
  const auth = {
    ...(opts.token ? { token: opts.token } : {}),
    ...(opts.password ? { password: opts.password } : {}),
  };
  const params: Record<string, unknown> = {
    minProtocol: MIN_PROTOCOL,
    maxProtocol: MAX_PROTOCOL,
    client: { id: opts.clientId, version: opts.clientVersion, platform: process.platform, mode: opts.clientMode },
    role: opts.role,
    scopes: [...opts.scopes],
    caps: [],
    ...(Object.keys(auth).length ? { auth } : {}),
    locale: "en-US",
    userAgent: `switchboard-openclaw-gateway/${opts.clientVersion}`,
  };
  if (opts.device) {
    const payload = buildDeviceAuthPayload({
      deviceId: opts.device.deviceId,
      clientId: opts.clientId,
      clientMode: opts.clientMode,
      role: opts.role,
      scopes: opts.scopes,
      signedAtMs,
      token: opts.token,
      nonce,
    });
    params.device = { id: opts.device.deviceId, publicKey: opts.device.publicKey, signature: signDevicePayload(opts.device.privateKey, payload), signedAt: signedAtMs, nonce };
  }
  return params;
}

export interface ConnectedGateway {
  socket: GatewaySocket;
  protocol: number | null;
  serverVersion: string | null;
}

/** Connects and completes the handshake within `timeoutMs`, or closes the socket and throws HandshakeError. */
export async function connectGateway(opts: HandshakeOptions, displayedUrl: string): Promise<ConnectedGateway> {
  const started = Date.now();
  const left = () => Math.max(1, opts.timeoutMs - (Date.now() - started));
  let socket: GatewaySocket;
  try {
    socket = await GatewaySocket.open(opts.url, { headers: opts.headers, timeoutMs: opts.timeoutMs, signal: opts.signal });
  } catch (err) {
    throw classify(err, "open", displayedUrl);
  }
  if (opts.onEvent) socket.onEvent(opts.onEvent);
  let stage: "challenge" | "connect" = "challenge";
  try {
    const nonce = await socket.challengeNonce(left());
    stage = "connect";
    const hello = asRecord(await socket.request("connect", buildConnectParams(opts, nonce), left()));
    const server = asRecord(hello?.server);
    return {
      socket,
      protocol: typeof hello?.protocol === "number" ? hello.protocol : null,
      serverVersion: typeof server?.version === "string" ? server.version.slice(0, 100) : null,
    };
  } catch (err) {
    socket.close("handshake failed");
    throw classify(err, stage, displayedUrl);
  }
}
