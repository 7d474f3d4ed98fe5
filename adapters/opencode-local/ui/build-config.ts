/**
 * ui part of `opencode_local`: the create-agent form's values → `adapterConfig`, keeping only what the
 * user filled in so the server's defaults apply to the rest (permissions skipped, grace 20 s).
 */
import type { AdapterFormValues } from "../../types.js";
import { definedOnly, filledText, localCliFormFields, parseBooleanField } from "../../utils/form-fields.js";

export function buildConfig(values: AdapterFormValues): Record<string, unknown> {
  return definedOnly({
    ...localCliFormFields(values),
    variant: filledText(values.variant),
    dangerouslySkipPermissions: parseBooleanField(values.dangerouslySkipPermissions),
  });
}
