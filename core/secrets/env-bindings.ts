/**
 * `adapterConfig.env` values (Paperclip's env bindings): a plain string, `{type:"plain", value}`, or
 * `{type:"secret_ref", secretId, version?}` where a missing version (or "latest") means the secret's
 * latest version at the moment a run starts. The agent row stores only the reference; the value is
 * decrypted in the run's activity and handed to the adapter alone.
 */
import { z } from "zod";

export const plainEnvBindingSchema = z.object({ type: z.literal("plain"), value: z.string() });

export const secretRefEnvBindingSchema = z.object({
  type: z.literal("secret_ref"),
  secretId: z.string().uuid("secretId must be a secret id (uuid)"),
  version: z.union([z.literal("latest"), z.number().int().positive()]).optional(),
});

export const envValueSchema = z.union([z.string(), plainEnvBindingSchema, secretRefEnvBindingSchema], {
  error: 'env values must be strings, {"type":"plain","value":"…"} or {"type":"secret_ref","secretId":"<uuid>","version"?:<n>|"latest"}',
});

export type SecretRefEnvBinding = z.infer<typeof secretRefEnvBindingSchema>;
export type EnvValue = z.infer<typeof envValueSchema>;

/** The env object of an adapter config, or null when there is none. */
export function envOf(adapterConfig: unknown): Record<string, unknown> | null {
  if (!adapterConfig || typeof adapterConfig !== "object" || Array.isArray(adapterConfig)) return null;
  const env = (adapterConfig as Record<string, unknown>).env;
  return env && typeof env === "object" && !Array.isArray(env) ? (env as Record<string, unknown>) : null;
}

/**
 * Where an adapter config may hold a binding instead of a literal: every `env` value, every
 * `headers` value (the http and openclaw_gateway adapters' endpoint credentials), and the top-level
 * credential fields `authToken`, `token`, `password`. `key` names the place (`API_KEY` for env,
 * `headers.authorization`, `token`) in messages.
 */
export const CREDENTIAL_FIELDS = ["authToken", "token", "password"] as const;

export interface BindingSlot {
  key: string;
  /** Which object holds the value and under which name (for writing the resolved string back). */
  container: "env" | "headers" | "root";
  name: string;
  value: unknown;
}

function objectAt(config: Record<string, unknown>, field: string): Record<string, unknown> | null {
  const v = config[field];
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

export function bindingSlotsOf(adapterConfig: unknown): BindingSlot[] {
  if (!adapterConfig || typeof adapterConfig !== "object" || Array.isArray(adapterConfig)) return [];
  const config = adapterConfig as Record<string, unknown>;
  const slots: BindingSlot[] = [];
  for (const [name, value] of Object.entries(objectAt(config, "env") ?? {})) slots.push({ key: name, container: "env", name, value });
  for (const [name, value] of Object.entries(objectAt(config, "headers") ?? {})) slots.push({ key: `headers.${name}`, container: "headers", name, value });
  for (const name of CREDENTIAL_FIELDS) if (name in config) slots.push({ key: name, container: "root", name, value: config[name] });
  return slots;
}

/** Every `secret_ref` in an adapter config, with the place that holds it. */
export function secretRefsOf(adapterConfig: unknown): Array<{ key: string; ref: SecretRefEnvBinding }> {
  const refs: Array<{ key: string; ref: SecretRefEnvBinding }> = [];
  for (const slot of bindingSlotsOf(adapterConfig)) {
    const parsed = secretRefEnvBindingSchema.safeParse(slot.value);
    if (parsed.success) refs.push({ key: slot.key, ref: parsed.data });
  }
  return refs;
}
