/**
 * ui part of `claude_local`: the create-agent form's values → `adapterConfig`. `extraArgs` is typed
 * as text and becomes the string array the adapter requires; `envVars` lines become the `env` object.
 */
import type { AdapterFormValues } from "../../types.js";
import { definedOnly, filledText, parseEnvLines, parseNumberField, splitList } from "../../process/ui/form-fields.js";

export function buildConfig(values: AdapterFormValues): Record<string, unknown> {
  return definedOnly({
    command: filledText(values.command),
    cwd: filledText(values.cwd),
    model: filledText(values.model),
    promptTemplate: filledText(values.promptTemplate) ? values.promptTemplate : undefined,
    extraArgs: splitList(values.extraArgs),
    env: parseEnvLines(values.envVars),
    timeoutSec: parseNumberField(values.timeoutSec),
    graceSec: parseNumberField(values.graceSec),
    dangerouslySkipPermissions: typeof values.dangerouslySkipPermissions === "boolean" ? values.dangerouslySkipPermissions : undefined,
  });
}
