/**
 * "Test environment" for `openclaw_gateway`: is the URL a usable ws:// / wss:// address, is there a
 * credential, is a plaintext socket leaving the machine, and does a real handshake (challenge →
 * signed connect → hello-ok) succeed within 3 s. Stable codes, `openclaw_gateway_…`.
 *
 * The probe signs with the configured device key, or a throwaway one (the agent's persisted key lives
 * in its home, which a company-level test does not know): a gateway that demands pairing reports it.
 */
import crypto from "node:crypto";
import type { AdapterEnvironmentCheck, AdapterEnvironmentTestContext, AdapterEnvironmentTestResult } from "../../types.js";
import {
  configSecrets,
  displayUrl,
  gatewayUrlProblem,
  isLoopbackHost,
  openclawGatewayConfigSchema,
  redactSecrets,
  resolveGatewayToken,
} from "../config.js";
import { configIssuesText } from "../../utils/cli-run.js";
import { environmentResult } from "../../utils/environment-result.js";
import { generateEphemeralIdentity, identityFromPrivateKey } from "./device-identity.js";
import { HandshakeError, configuredHandshake, connectGateway } from "./handshake.js";

export const PROBE_TIMEOUT_MS = 3_000;

const URL_MESSAGES = {
  missing: "openclaw_gateway_url_missing",
  invalid: "openclaw_gateway_url_invalid",
  protocol_invalid: "openclaw_gateway_url_protocol_invalid",
} as const;

export async function testOpenClawGatewayEnvironment(ctx: AdapterEnvironmentTestContext): Promise<AdapterEnvironmentTestResult> {
  const checks: AdapterEnvironmentCheck[] = [];
  const raw = (ctx.config ?? {}) as Record<string, unknown>;
  const finish = (): AdapterEnvironmentTestResult => environmentResult(ctx.adapterType, checks);

  const urlProblem = gatewayUrlProblem(raw.url);
  if (urlProblem) {
    checks.push({ code: URL_MESSAGES[urlProblem.code], level: "error", message: urlProblem.message, hint: "Set adapterConfig.url to the gateway's ws:// or wss:// address (OpenClaw listens on port 18789 by default)" });
    return finish();
  }
  const url = String(raw.url).trim();
  const parsedUrl = new URL(url);
  checks.push({ code: "openclaw_gateway_url_valid", level: "info", message: `Gateway URL: ${displayUrl(url)}` });
  if (parsedUrl.protocol === "ws:" && !isLoopbackHost(parsedUrl.hostname)) {
    checks.push({
      code: "openclaw_gateway_plaintext_remote_ws",
      level: "warn",
      message: `ws:// to ${parsedUrl.hostname} is unencrypted: the gateway token and every prompt cross the network in clear text`,
      hint: "Use wss:// (TLS) for a gateway on another machine, or tunnel it (Tailscale, SSH)",
    });
  }

  const parsed = openclawGatewayConfigSchema.safeParse(raw);
  if (!parsed.success) {
    checks.push({ code: "openclaw_gateway_config_invalid", level: "error", message: configIssuesText(parsed.error), hint: "Fix adapterConfig" });
    return finish();
  }
  const config = parsed.data;
  const token = resolveGatewayToken(config);
  checks.push(
    token || config.password
      ? { code: "openclaw_gateway_auth_present", level: "info", message: `Gateway credential configured (${token ? "token" : "password"})` }
      : {
          code: "openclaw_gateway_auth_missing",
          level: "warn",
          message: "No gateway token or password configured; only a gateway with auth mode none will accept the connection",
          hint: "Set adapterConfig.authToken to the gateway's gateway.auth.token (or headers.x-openclaw-token)",
        },
  );

  const device = config.disableDeviceAuth
    ? null
    : config.devicePrivateKeyPem
      ? identityFromPrivateKey(crypto.createPrivateKey(config.devicePrivateKeyPem), "configured")
      : generateEphemeralIdentity();
  try {
    const connected = await connectGateway(
      {
        ...configuredHandshake(config),
        device,
        timeoutMs: PROBE_TIMEOUT_MS,
      },
      displayUrl(url),
    );
    connected.socket.close("probe finished");
    checks.push({
      code: "openclaw_gateway_probe_ok",
      level: "info",
      message: `Handshake succeeded (protocol ${connected.protocol ?? "unknown"}${connected.serverVersion ? `, gateway ${connected.serverVersion}` : ""})`,
    });
  } catch (err) {
    const message = redactSecrets(err instanceof Error ? err.message : String(err), configSecrets(config));
    const kind = err instanceof HandshakeError ? err.kind : "unreachable";
    checks.push({
      code: "openclaw_gateway_probe_failed",
      level: "error",
      message,
      detail: `failure kind: ${kind}`,
      hint:
        kind === "auth"
          ? "Check the token/password and, if the gateway asks for pairing, approve the device or set devicePrivateKeyPem"
          : "Check that the gateway is running and that this server can reach the URL",
    });
  }
  return finish();
}
