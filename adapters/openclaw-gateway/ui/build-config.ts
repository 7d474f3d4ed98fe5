/**
 * Create-agent form values → `adapterConfig` for `openclaw_gateway`: only the fields the user filled,
 * numbers as numbers, scopes split on commas, payloadTemplate parsed from JSON (left as text when it
 * does not parse, so validation names the problem instead of the form silently dropping it).
 */
import type { AdapterFormValues } from "../../types.js";
import { filledText, parseHeaderLines, parseNumberField } from "../../utils/form-fields.js";

const text = (v: unknown): string | null => filledText(v) ?? null;

function parseJsonObject(raw: string): Record<string, unknown> | string {
  try {
    const value: unknown = JSON.parse(raw);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : raw;
  } catch {
    return raw;
  }
}

const STRING_FIELDS = ["url", "authToken", "password", "clientId", "clientMode", "clientVersion", "role", "agentId", "sessionKey", "promptTemplate", "devicePrivateKeyPem"] as const;

export function buildConfig(values: AdapterFormValues): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const field of STRING_FIELDS) {
    const value = field === "promptTemplate" || field === "devicePrivateKeyPem" ? (typeof values[field] === "string" && values[field].trim() ? values[field] : null) : text(values[field]);
    if (value !== null) config[field] = value;
  }
  const strategy = text(values.sessionKeyStrategy);
  if (strategy) config.sessionKeyStrategy = strategy;
  const scopes = text(values.scopes);
  if (scopes) config.scopes = scopes.split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
  for (const field of ["timeoutSec", "waitTimeoutMs"] as const) {
    const value = parseNumberField(values[field]);
    if (value !== undefined) config[field] = value;
  }
  if (typeof values.disableDeviceAuth === "boolean") config.disableDeviceAuth = values.disableDeviceAuth;
  const template = text(values.payloadTemplate);
  if (template) config.payloadTemplate = parseJsonObject(template);
  const headers = parseHeaderLines(values.headers);
  if (headers) config.headers = headers;
  return config;
}
