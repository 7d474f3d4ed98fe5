/**
 * Environment diagnostics for `gemini_local`: the shared CLI checks (`gemini_config_invalid`,
 * `gemini_cwd_*`, `gemini_command_*`) plus whether an API key is configured. A missing key is only a
 * warning: the CLI may be logged in with a Google account as the server's user.
 */
import type { AdapterEnvironmentCheck, AdapterEnvironmentTestContext, AdapterEnvironmentTestResult } from "../../types.js";
import { testCliEnvironment } from "../../utils/cli-environment.js";
import { environmentResult } from "../../utils/environment-result.js";
import { GEMINI_DEFAULT_COMMAND, configuredApiKeyName, geminiConfigSchema } from "../config.js";

export async function testGeminiEnvironment(ctx: AdapterEnvironmentTestContext): Promise<AdapterEnvironmentTestResult> {
  const base = testCliEnvironment(
    {
      prefix: "gemini",
      label: "Gemini CLI",
      defaultCommand: GEMINI_DEFAULT_COMMAND,
      installHint: 'Install the Gemini CLI ("npm install -g @google/gemini-cli") or set adapterConfig.command to its absolute path',
      configSchema: geminiConfigSchema,
    },
    ctx,
  );
  const config = (ctx.config ?? {}) as Record<string, unknown>;
  const keyName = configuredApiKeyName(config.env);
  const checks: AdapterEnvironmentCheck[] = [
    ...base.checks,
    keyName
      ? { code: "gemini_api_key_present", level: "info", message: `${keyName} is set in adapterConfig.env: runs are billed to that API key` }
      : {
          code: "gemini_api_key_missing",
          level: "warn",
          message: "No GEMINI_API_KEY or GOOGLE_API_KEY in adapterConfig.env: runs use the Gemini CLI's own login, if the server's user has one",
          hint: 'Add GEMINI_API_KEY to adapterConfig.env (as a secret), or run "gemini" once as the server\'s user and sign in with Google',
        },
  ];
  return environmentResult(ctx.adapterType, checks);
}
