/**
 * ui part of `cursor`: the create-agent form's values → `adapterConfig`, keeping only what the user
 * filled in so the server's defaults apply to the rest (command `agent`, grace 20 s).
 */
import type { AdapterFormValues } from "../../types.js";
import { definedOnly, filledText, localCliFormFields } from "../../utils/form-fields.js";

export function buildConfig(values: AdapterFormValues): Record<string, unknown> {
  const mode = filledText(values.mode);
  // Only Cursor's two read-only modes are a setting; "agent" (or blank) is the default.
  return definedOnly({ ...localCliFormFields(values), mode: mode === "plan" || mode === "ask" ? mode : undefined });
}
