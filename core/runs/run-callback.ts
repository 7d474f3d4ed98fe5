/**
 * Signed callback URLs for runs handed to a remote agent (the `http` adapter's async mode). The URL is
 * a capability: `sig` is an HMAC of the run id under the instance's agent-JWT secret, so only the
 * endpoint that received the run can post to it, and it is worthless for any other run. It needs no
 * other credential — the endpoint may not hold one — and stops working once the run is terminal.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** How long the URL is documented to work; the run's own deadline (callbackTimeoutSec) is what enforces it. */
const CALLBACK_VALIDITY_MS = 7 * 24 * 3600 * 1000;

function signature(runId: string, secret: Uint8Array): string {
  return createHmac("sha256", secret).update(`switchboard-run-callback:${runId}`).digest("base64url");
}

export function runCallbackFor(runId: string, apiUrl: string, secret: Uint8Array): { url: string; expiresAt: string } {
  const url = `${apiUrl.replace(/\/+$/, "")}/api/heartbeat-runs/${encodeURIComponent(runId)}/callback?sig=${signature(runId, secret)}`;
  return { url, expiresAt: new Date(Date.now() + CALLBACK_VALIDITY_MS).toISOString() };
}

export function verifyRunCallbackSignature(runId: string, sig: string, secret: Uint8Array): boolean {
  const expected = Buffer.from(signature(runId, secret));
  const given = Buffer.from(sig);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
