/**
 * Reading the create-agent form's free-text fields the same way for every built-in adapter: text,
 * lists (one per line, or comma-separated on a single line), `KEY=VALUE` env lines, `Name: value`
 * header lines, numbers and checkboxes. Pure and forgiving: a line it cannot read is skipped, and the
 * server's config validation reports the rest.
 */
import type { AdapterFormValues } from "../types.js";

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

/** `Name: value` per line → `{Name: "value"}`; lines without a name are skipped. */
export function parseHeaderLines(value: unknown): Record<string, string> | undefined {
  if (typeof value !== "string") return undefined;
  const headers: Record<string, string> = {};
  for (const line of value.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0 && line.slice(0, colon).trim()) headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return Object.keys(headers).length > 0 ? headers : undefined;
}

/** A number typed as text or given as a number; empty or unreadable → undefined. */
export function parseNumberField(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string" || !value.trim()) return undefined;
  const n = Number(value.trim());
  return Number.isFinite(n) ? n : undefined;
}

/** A checkbox: a boolean, or the words a form may send for one ("true"/"false", "on"/"off", "yes"/"no", "1"/"0"). */
export function parseBooleanField(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value !== "string") return undefined;
  const v = value.trim().toLowerCase();
  if (["true", "on", "yes", "1"].includes(v)) return true;
  if (["false", "off", "no", "0"].includes(v)) return false;
  return undefined;
}

/** Copies only defined values, so the built config holds exactly what the user filled. */
export function definedOnly(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
}

/**
 * The fields every local-CLI adapter's form has, read the same way: command, cwd, model, prompt
 * template, extra arguments (`extraArgs`, or the generic `args` field), env lines and the two time
 * limits. Adapters add their own fields beside these and pass the whole through `definedOnly`.
 */
export function localCliFormFields(values: AdapterFormValues): Record<string, unknown> {
  return {
    command: filledText(values.command),
    cwd: filledText(values.cwd),
    model: filledText(values.model),
    // Kept as typed (inner whitespace and newlines matter in a prompt), when anything was typed.
    promptTemplate: filledText(values.promptTemplate) ? values.promptTemplate : undefined,
    extraArgs: splitList(values.extraArgs) ?? splitList(values.args),
    env: parseEnvLines(values.envVars),
    timeoutSec: parseNumberField(values.timeoutSec),
    graceSec: parseNumberField(values.graceSec),
  };
}
