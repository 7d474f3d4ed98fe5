/**
 * `hermes_local` create-agent form → `adapterConfig`: only the fields the user filled, typed the
 * way the config schema expects. The form's generic "command" field becomes `hermesCommand`.
 */
import type { AdapterFormValues } from "../../types.js";
import { definedOnly, filledText, localCliFormFields, parseBooleanField, parseNumberField, splitList } from "../../utils/form-fields.js";

export function buildConfig(values: AdapterFormValues): Record<string, unknown> {
  return definedOnly({
    ...localCliFormFields(values),
    command: undefined,
    hermesCommand: filledText(values.hermesCommand) ?? filledText(values.command),
    provider: filledText(values.provider),
    toolsets: splitList(values.toolsets)?.join(","),
    maxTurns: parseNumberField(values.maxTurns),
    persistSession: parseBooleanField(values.persistSession),
    verbose: parseBooleanField(values.verbose),
    quiet: parseBooleanField(values.quiet),
  });
}
