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

/** Every `secret_ref` in an adapter config, with the env key that holds it. */
export function secretRefsOf(adapterConfig: unknown): Array<{ key: string; ref: SecretRefEnvBinding }> {
  const env = envOf(adapterConfig);
  if (!env) return [];
  const refs: Array<{ key: string; ref: SecretRefEnvBinding }> = [];
  for (const [key, value] of Object.entries(env)) {
    const parsed = secretRefEnvBindingSchema.safeParse(value);
    if (parsed.success) refs.push({ key, ref: parsed.data });
  }
  return refs;
}
