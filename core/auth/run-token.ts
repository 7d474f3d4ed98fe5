/**
 * Run tokens: a short-lived HS256 JWT minted when a run starts and handed to the agent as
 * PAPERCLIP_API_KEY. Claims match Paperclip's (`sub` agent, `company_id`, `run_id`, `adapter_type`,
 * iss `paperclip`, aud `paperclip-api`), so agents and tools written for it read them unchanged.
 * Signature and expiry are checked here; the API also refuses a token whose run is already terminal.
 */
import { SignJWT, errors, jwtVerify } from "jose";

export const RUN_TOKEN_ISSUER = "paperclip";
export const RUN_TOKEN_AUDIENCE = "paperclip-api";

export interface RunTokenClaims {
  agentId: string;
  companyId: string;
  runId: string;
  adapterType: string;
}

export async function mintRunToken(claims: RunTokenClaims, secret: Uint8Array, ttlSec: number): Promise<string> {
  return new SignJWT({ company_id: claims.companyId, run_id: claims.runId, adapter_type: claims.adapterType })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.agentId)
    .setIssuer(RUN_TOKEN_ISSUER)
    .setAudience(RUN_TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSec)
    .sign(secret);
}

export type RunTokenCheck = { ok: true; claims: RunTokenClaims } | { ok: false; reason: "expired" | "invalid" };

/** A JWT is three base64url segments; anything else is not one (so it may be an API key). */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

export async function verifyRunToken(token: string, secret: Uint8Array): Promise<RunTokenCheck> {
  try {
    const { payload } = await jwtVerify(token, secret, { issuer: RUN_TOKEN_ISSUER, audience: RUN_TOKEN_AUDIENCE, algorithms: ["HS256"] });
    const { sub, company_id, run_id, adapter_type } = payload as Record<string, unknown>;
    if (typeof sub !== "string" || typeof company_id !== "string" || typeof run_id !== "string") return { ok: false, reason: "invalid" };
    return { ok: true, claims: { agentId: sub, companyId: company_id, runId: run_id, adapterType: typeof adapter_type === "string" ? adapter_type : "" } };
  } catch (err) {
    return { ok: false, reason: err instanceof errors.JWTExpired ? "expired" : "invalid" };
  }
}
