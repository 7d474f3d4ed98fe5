/**
 * Every error leaves as Paperclip's envelope `{error, code?, details?}` with a 4xx where the client is
 * at fault. Only a bug produces a 500, and its body never carries internals.
 */
import type { FastifyError, FastifyInstance } from "fastify";
import { HttpError } from "../core/errors.js";

const FASTIFY_CLIENT_ERRORS: Record<string, { status: number; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, message: "Malformed JSON body" },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, message: "Request body is empty but Content-Type is application/json" },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, message: "Unsupported Content-Type: send application/json" },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, message: "Request body is too large" },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, message: "Content-Length does not match the body" },
};

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof HttpError) {
      return reply.status(err.status).send(err.toBody());
    }
    const known = err.code ? FASTIFY_CLIENT_ERRORS[err.code] : undefined;
    if (known) return reply.status(known.status).send({ error: known.message, code: err.code });
    if (err instanceof SyntaxError || (err.statusCode === 400 && /JSON/i.test(err.message))) {
      return reply.status(400).send({ error: "Malformed JSON body", code: "FST_ERR_CTP_INVALID_JSON_BODY" });
    }
    if (typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.status(err.statusCode).send({ error: err.message, ...(err.code ? { code: err.code } : {}) });
    }
    const pg = postgresClientError(err);
    if (pg) return reply.status(pg.status).send({ error: pg.message, code: pg.code });
    request.log.error({ err }, "unhandled error");
    return reply.status(500).send({ error: "Internal server error" });
  });

  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith("/api/") || request.url === "/api") {
      return reply.status(404).send({ error: "API route not found" });
    }
    return reply.status(404).send({ error: "Not found" });
  });
}

/**
 * Safety net for input the route schemas let through but Postgres refuses (a number past int4, a
 * malformed value): the client's fault, so a 4xx, never a 500. Routes should still validate first.
 */
function postgresClientError(err: unknown): { status: number; message: string; code: string } | null {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== "string" || !/^[0-9A-Z]{5}$/.test(code)) return null;
  if (code.startsWith("22")) return { status: 400, message: "Invalid value: out of range or malformed for its field", code: "invalid_value" };
  if (code === "23505") return { status: 409, message: "Conflicts with an existing record", code: "unique_violation" };
  if (code === "23503") return { status: 422, message: "Refers to a record that does not exist", code: "foreign_key_violation" };
  if (code === "23514") return { status: 422, message: "Violates a constraint of the record", code: "check_violation" };
  return null;
}
