/**
 * `pi_local` create-agent form → `adapterConfig`: only the fields the user filled, typed the way
 * the config schema expects (numbers as numbers, arguments as an array, env as an object).
 */
import type { AdapterFormValues } from "../../types.js";
import { definedOnly, filledText, localCliFormFields } from "../../utils/form-fields.js";

export function buildConfig(values: AdapterFormValues): Record<string, unknown> {
  return definedOnly({
    ...localCliFormFields(values),
    instructionsFilePath: filledText(values.instructionsFilePath),
    thinking: filledText(values.thinking),
  });
}
