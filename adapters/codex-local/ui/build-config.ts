/**
 * ui part of `codex_local`: the create-agent form's values → `adapterConfig`. `extraArgs` is typed
 * as text and becomes the string array the adapter requires; `envVars` lines become the `env` object.
 */
import type { AdapterFormValues } from "../../types.js";
import { definedOnly, localCliFormFields, parseBooleanField } from "../../utils/form-fields.js";

export function buildConfig(values: AdapterFormValues): Record<string, unknown> {
  return definedOnly({ ...localCliFormFields(values), bypassApprovalsAndSandbox: parseBooleanField(values.bypassApprovalsAndSandbox) });
}
