/**
 * `hermes_local` create-agent form → `adapterConfig`: only the fields the user filled, typed the
 * way the config schema expects. The form's generic "command" field becomes `hermesCommand`.
 */
import type { AdapterFormValues } from "../../types.js";

const text = (v: unknown): string | undefined => (typeof v === "string" && v.trim() ? v.trim() : undefined);

function number(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function bool(v: unknown): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (v === "true") return true;
  if (v === "false") return false;
  return undefined;
}

/** Items typed one per line or comma-separated. */
function list(v: unknown): string[] | undefined {
  const raw = text(v);
  if (!raw) return undefined;
  const items = raw.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
  return items.length > 0 ? items : undefined;
}

/** `KEY=VALUE` per line; lines without `=` or with an empty key are ignored. */
function envLines(v: unknown): Record<string, string> | undefined {
  const raw = text(v);
  if (!raw) return undefined;
  const env: Record<string, string> = {};
  for (const line of raw.split("\n")) {
    const eq = line.indexOf("=");
    const key = eq > 0 ? line.slice(0, eq).trim() : "";
    if (key) env[key] = line.slice(eq + 1).trim();
  }
  return Object.keys(env).length > 0 ? env : undefined;
}

export function buildConfig(values: AdapterFormValues): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined) config[key] = value;
  };
  set("model", text(values.model));
  set("provider", text(values.provider));
  set("cwd", text(values.cwd));
  set("hermesCommand", text(values.hermesCommand) ?? text(values.command));
  set("promptTemplate", text(values.promptTemplate));
  set("toolsets", list(values.toolsets)?.join(","));
  set("maxTurns", number(values.maxTurns));
  set("persistSession", bool(values.persistSession));
  set("verbose", bool(values.verbose));
  set("quiet", bool(values.quiet));
  set("extraArgs", list(values.extraArgs) ?? list(values.args));
  set("env", envLines(values.envVars));
  set("timeoutSec", number(values.timeoutSec));
  set("graceSec", number(values.graceSec));
  return config;
}
