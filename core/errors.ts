/**
 * HTTP-facing errors with Paperclip's envelope `{ error, code?, details? }`.
 * Domain code throws these; the API's error handler serialises them. Anything else is a bug (500).
 */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
    readonly code?: string,
  ) {
    super(message);
  }

  toBody(): { error: string; code?: string; details?: unknown } {
    const body: { error: string; code?: string; details?: unknown } = { error: this.message };
    const code = this.code ?? codeFromDetails(this.details);
    if (code) body.code = code;
    if (this.details !== undefined) body.details = this.details;
    return body;
  }
}

function codeFromDetails(details: unknown): string | undefined {
  if (details && typeof details === "object" && "code" in details) {
    const c = (details as { code: unknown }).code;
    return typeof c === "string" ? c : undefined;
  }
  return undefined;
}

export const badRequest = (message: string, details?: unknown) => new HttpError(400, message, details);
export const unauthorized = (message = "Unauthorized", details?: unknown) => new HttpError(401, message, details);
export const forbidden = (message: string, details?: unknown) => new HttpError(403, message, details);
export const notFound = (message: string, details?: unknown) => new HttpError(404, message, details);
export const conflict = (message: string, details?: unknown) => new HttpError(409, message, details);
export const unprocessable = (message: string, details?: unknown) => new HttpError(422, message, details);
export const serviceUnavailable = (message: string, details?: unknown) => new HttpError(503, message, details);
