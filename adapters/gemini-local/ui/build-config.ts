/**
 * ui part of `gemini_local`: the create-agent form's values → `adapterConfig`, holding only what the
 * user filled. `extraArgs` is typed as text and becomes the string array the adapter requires;
 * `envVars` lines become `env`; the `sandbox` checkbox may arrive as a boolean or as "true"/"false".
 */
import type { AdapterFormValues } from "../../types.js";
import { definedOnly, filledText, parseEnvLines, parseNumberField, splitList } from "../../process/ui/form-fields.js";

function booleanField(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value !== "string") return undefined;
  const v = value.trim().toLowerCase();
  if (["true", "on", "yes", "1"].includes(v)) return true;
  if (["false", "off", "no", "0"].includes(v)) return false;
  return undefined;
}

export function buildConfig(values: AdapterFormValues): Record<string, unknown> {
  return definedOnly({
    command: filledText(values.command),
    cwd: filledText(values.cwd),
    model: filledText(values.model),
    // Kept as typed (inner whitespace and newlines matter in a prompt), when anything was typed.
    promptTemplate: filledText(values.promptTemplate) ? values.promptTemplate : undefined,
    sandbox: booleanField(values.sandbox),
    extraArgs: splitList(values.extraArgs) ?? splitList(values.args),
    env: parseEnvLines(values.envVars),
    timeoutSec: parseNumberField(values.timeoutSec),
    graceSec: parseNumberField(values.graceSec),
  });
}
