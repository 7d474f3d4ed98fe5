/**
 * Board CSRF guard: a mutation carried by a session cookie must come from a trusted browser origin
 * (the request's own host, PAPERCLIP_PUBLIC_URL, or localhost:3100), shown by Origin or Referer.
 * Tokens in headers (board keys, agents) and local_trusted requests cannot be forged by a page, so
 * they are exempt.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { forbidden } from "../../core/errors.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function hostOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return null;
  }
}

export function installCsrfGuard(app: FastifyInstance, publicUrl: string | undefined): void {
  const trusted = new Set(["localhost:3100", ...(hostOf(publicUrl) ? [hostOf(publicUrl)!] : [])]);
  app.addHook("preHandler", async (req: FastifyRequest) => {
    if (SAFE_METHODS.has(req.method)) return;
    if (req.actor.type !== "board" || req.actor.source !== "session") return;
    const origin = hostOf(req.headers.origin) ?? hostOf(req.headers.referer);
    const ownHost = (req.headers.host ?? "").toLowerCase();
    if (origin && (origin === ownHost || trusted.has(origin))) return;
    throw forbidden("Board mutation requires trusted browser origin");
  });
}
