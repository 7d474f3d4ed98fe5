/**
 * ui part of `gemini_local`: the create-agent form's values → `adapterConfig`, holding only what the
 * user filled. `extraArgs` is typed as text and becomes the string array the adapter requires;
 * `envVars` lines become `env`; the `sandbox` checkbox may arrive as a boolean or as "true"/"false".
 */
import type { AdapterFormValues } from "../../types.js";
import { definedOnly, localCliFormFields, parseBooleanField } from "../../utils/form-fields.js";

export function buildConfig(values: AdapterFormValues): Record<string, unknown> {
  return definedOnly({ ...localCliFormFields(values), sandbox: parseBooleanField(values.sandbox) });
}
