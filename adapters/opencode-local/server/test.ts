/**
 * `testEnvironment` of `opencode_local`: the shared CLI checks (config, cwd, command) with `opencode_*`
 * codes, plus whether `model` has the `provider/model` shape OpenCode needs.
 */
import type { AdapterEnvironmentTestContext, AdapterEnvironmentTestResult } from "../../types.js";
import { testCliEnvironment } from "../../utils/cli-environment.js";
import { environmentResult } from "../../utils/environment-result.js";
import { opencodeConfigSchema, opencodeModelSchema, providerOfModel } from "../config.js";

export async function testOpencodeEnvironment(ctx: AdapterEnvironmentTestContext): Promise<AdapterEnvironmentTestResult> {
  const base = testCliEnvironment(
    {
      prefix: "opencode",
      label: "OpenCode command",
      defaultCommand: "opencode",
      installHint: 'Install OpenCode ("npm install -g opencode-ai") or set adapterConfig.command to its absolute path',
      configSchema: opencodeConfigSchema,
    },
    ctx,
  );
  const model = (ctx.config ?? {}).model;
  const parsed = opencodeModelSchema.safeParse(model);
  return environmentResult(ctx.adapterType, [
    ...base.checks,
    parsed.success
      ? { code: "opencode_model_configured", level: "info", message: `Model ${parsed.data} (provider ${providerOfModel(parsed.data)})` }
      : {
          code: "opencode_model_invalid",
          level: "error",
          message: parsed.error.issues[0]?.message ?? "model is invalid",
          detail: typeof model === "string" ? `Configured: "${model}"` : null,
          hint: 'Set adapterConfig.model to "provider/model"; `opencode models` lists the ones you can use',
        },
  ]);
}
