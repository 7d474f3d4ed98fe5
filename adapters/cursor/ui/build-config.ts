/**
 * ui part of `cursor`: the create-agent form's values → `adapterConfig`, keeping only what the user
 * filled in so the server's defaults apply to the rest (command `agent`, grace 20 s).
 */
import type { AdapterFormValues } from "../../types.js";

const filled = (v: unknown): string | null => (typeof v === "string" && v.trim() ? v.trim() : null);

/** "a, b" or one per line → ["a", "b"]. */
export function splitArgs(value: unknown): string[] {
  const text = filled(value);
  return text ? text.split(/[\n,]/).map((a) => a.trim()).filter(Boolean) : [];
}

/** `KEY=VALUE` per line; blank lines and `#` comments are skipped, the value keeps any further `=`. */
export function parseEnvLines(value: unknown): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of (filled(value) ?? "").split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    env[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return env;
}

function seconds(value: unknown): number | null {
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() ? Number(value) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : null;
}

export function buildConfig(values: AdapterFormValues): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const key of ["cwd", "model", "command", "promptTemplate"] as const) {
    const v = filled(values[key]);
    if (v) config[key] = v;
  }
  // Only Cursor's two read-only modes are a setting; "agent" (or blank) is the default.
  const mode = filled(values.mode);
  if (mode === "plan" || mode === "ask") config.mode = mode;
  const extraArgs = splitArgs(values.extraArgs ?? values.args);
  if (extraArgs.length > 0) config.extraArgs = extraArgs;
  const env = parseEnvLines(values.envVars);
  if (Object.keys(env).length > 0) config.env = env;
  const timeoutSec = seconds(values.timeoutSec);
  if (timeoutSec !== null) config.timeoutSec = timeoutSec;
  const graceSec = seconds(values.graceSec);
  if (graceSec !== null) config.graceSec = graceSec;
  return config;
}
