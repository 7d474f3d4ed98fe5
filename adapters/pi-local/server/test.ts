/**
 * `pi_local` testEnvironment: the shared CLI checks (`pi_cwd_*`, `pi_command_*`, `pi_config_invalid`)
 * plus Pi's own: the required `provider/model` (`pi_model_required` / `pi_model_invalid` /
 * `pi_model_configured`) and a readable instructions file (`pi_instructions_file_missing`).
 */
import fs from "node:fs";
import path from "node:path";
import type { AdapterEnvironmentCheck, AdapterEnvironmentTestContext, AdapterEnvironmentTestResult } from "../../types.js";
import { testCliEnvironment } from "../../utils/cli-environment.js";
import { environmentResult } from "../../utils/environment-result.js";
import { PI_DEFAULT_COMMAND, piConfigSchema, splitPiModel } from "../config.js";

function modelCheck(model: unknown): AdapterEnvironmentCheck {
  if (typeof model !== "string" || !model.trim()) {
    return { code: "pi_model_required", level: "error", message: "No model configured: Pi needs one as provider/model", hint: 'Set adapterConfig.model, for example "anthropic/claude-sonnet-4-5"' };
  }
  const parsed = piConfigSchema.shape.model.safeParse(model);
  if (!parsed.success) {
    return { code: "pi_model_invalid", level: "error", message: `Model "${model}" is not provider/model`, hint: 'Write it as provider/model, for example "openai/gpt-5"' };
  }
  const { provider, modelId } = splitPiModel(parsed.data);
  return { code: "pi_model_configured", level: "info", message: `Model ${modelId} from provider ${provider}` };
}

function instructionsCheck(config: Record<string, unknown>): AdapterEnvironmentCheck | null {
  const configured = config.instructionsFilePath;
  if (typeof configured !== "string" || !configured.trim()) return null;
  const cwd = typeof config.cwd === "string" && path.isAbsolute(config.cwd) ? config.cwd : "/";
  const file = path.resolve(cwd, configured);
  let readable = false;
  try {
    fs.accessSync(file, fs.constants.R_OK);
    readable = fs.statSync(file).isFile();
  } catch {
    readable = false;
  }
  return readable
    ? { code: "pi_instructions_file_found", level: "info", message: `Instructions file ${file} is readable` }
    : { code: "pi_instructions_file_missing", level: "warn", message: `Instructions file ${file} is not a readable file; runs will go without it`, hint: "Fix adapterConfig.instructionsFilePath (absolute, or relative to cwd)" };
}

export async function testPiEnvironment(ctx: AdapterEnvironmentTestContext): Promise<AdapterEnvironmentTestResult> {
  const config = (ctx.config ?? {}) as Record<string, unknown>;
  // The model has its own checks below; the shared config check covers everything else.
  const base = testCliEnvironment(
    {
      prefix: "pi",
      label: "Pi command",
      defaultCommand: PI_DEFAULT_COMMAND,
      installHint: 'Install Pi ("npm install -g @mariozechner/pi-coding-agent") or set adapterConfig.command to its absolute path',
      configSchema: piConfigSchema.omit({ model: true }),
    },
    ctx,
  );
  const checks = [modelCheck(config.model), ...base.checks];
  const instructions = instructionsCheck(config);
  if (instructions) checks.push(instructions);
  return environmentResult(ctx.adapterType, checks);
}
