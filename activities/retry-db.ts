/**
 * Retries a database call while Postgres is briefly unreachable (restart, failover, dropped
 * connection). Inside the process activity this matters: an error there would use up one of the
 * run's attempts — and a retry restarts the agent — for what is only a hiccup of our own database.
 */
const TRANSIENT_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "57P01", "57P02", "57P03", "08000", "08001", "08003", "08006"]);

export function isTransientDbError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (e && typeof e.code === "string" && TRANSIENT_CODES.has(e.code)) return true;
  const message = e && typeof e.message === "string" ? e.message : "";
  return /Connection terminated|connection timeout|Client has encountered a connection error|terminating connection/i.test(message);
}

export async function withDbRetry<T>(fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isTransientDbError(err) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 2000)));
    }
  }
}
