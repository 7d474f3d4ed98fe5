/**
 * Reading the create-agent form's free-text fields the same way for every built-in adapter: lists
 * (one per line, or comma-separated on a single line), `KEY=VALUE` env lines and numbers. Pure and
 * forgiving — a line it cannot read is skipped, and the server's config validation reports the rest.
 * (Shared by claude-local and codex-local; a candidate for adapters/utils/.)
 */

/** A trimmed non-empty string, or undefined. */
export function filledText(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() ? value.trim() : undefined;
}

/**
 * "a, b, c" or one item per line → ["a","b","c"]. When the text has several lines each line is one
 * item, so an argument that contains a comma (`--tools=read,bash`) can still be typed on its own line.
 */
export function splitList(value: unknown): string[] | undefined {
  if (typeof value !== "string") return undefined;
  const multiline = /\r?\n/.test(value.trim());
  const items = (multiline ? value.split(/\r?\n/) : value.split(",")).map((s) => s.trim()).filter(Boolean);
  return items.length > 0 ? items : undefined;
}

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `KEY=VALUE` per line → `{KEY: "VALUE"}`; blank lines, `#` comments and lines without a valid key are skipped. */
export function parseEnvLines(value: unknown): Record<string, string> | undefined {
  if (typeof value !== "string") return undefined;
  const env: Record<string, string> = {};
  for (const raw of value.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    if (!ENV_KEY.test(key)) continue;
    env[key] = line.slice(eq + 1).trim();
  }
  return Object.keys(env).length > 0 ? env : undefined;
}

/** A number typed as text or given as a number; empty or unreadable → undefined. */
export function parseNumberField(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string" || !value.trim()) return undefined;
  const n = Number(value.trim());
  return Number.isFinite(n) ? n : undefined;
}

/** Copies only defined values, so the built config holds exactly what the user filled. */
export function definedOnly(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
}
