/** Request validation: every body, query and param goes through a zod schema; failures are 400s. */
import { z } from "zod";
import { HttpError } from "../core/errors.js";

export function parseOrThrow<S extends z.ZodType>(schema: S, data: unknown): z.infer<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  throw new HttpError(
    400,
    "Validation error",
    result.error.issues.map((i) => ({ path: i.path.map(String), message: i.message, code: i.code })),
  );
}

export const uuid = z.string().uuid();

/** An id that must be a UUID; anything else cannot name an existing row, so it is a 404, not a 400. */
export function idParam<K extends string>(key: K, notFoundMessage: string) {
  return (params: unknown): string => {
    const value = (params as Record<string, unknown> | undefined)?.[key];
    if (typeof value !== "string" || !uuid.safeParse(value).success) throw new HttpError(404, notFoundMessage);
    return value;
  };
}
