/**
 * ui part of `process`: the create-agent form's values → `adapterConfig`. `args` is typed as text and
 * becomes the string array the adapter requires; `envVars` lines become the `env` object.
 */
import type { AdapterFormValues } from "../../types.js";
import { PROMPT_DELIVERIES, type PromptDelivery } from "../config.js";
import { definedOnly, filledText, parseEnvLines, parseNumberField, splitList } from "../../utils/form-fields.js";

const isPromptDelivery = (v: unknown): v is PromptDelivery => typeof v === "string" && (PROMPT_DELIVERIES as readonly string[]).includes(v);

export function buildConfig(values: AdapterFormValues): Record<string, unknown> {
  return definedOnly({
    command: filledText(values.command),
    args: splitList(values.args),
    cwd: filledText(values.cwd),
    env: parseEnvLines(values.envVars),
    promptTemplate: filledText(values.promptTemplate) ? values.promptTemplate : undefined,
    promptDelivery: isPromptDelivery(values.promptDelivery) ? values.promptDelivery : undefined,
    timeoutSec: parseNumberField(values.timeoutSec),
    graceSec: parseNumberField(values.graceSec),
  });
}
