/**
 * `hermes_local` testEnvironment, with the codes Paperclip's Hermes adapter uses: the CLI resolves
 * (`hermes_cli_found` / `hermes_cli_not_found`), the model (`hermes_model_configured`, or
 * `hermes_configured_default_model` when Hermes' own default applies), and whether the run will
 * have provider credentials (`hermes_api_keys_found`, else the warning `hermes_no_api_keys`).
 * Credentials are judged by names only: no value is read.
 */
import fs from "node:fs";
import path from "node:path";
import type { AdapterEnvironmentCheck, AdapterEnvironmentTestContext, AdapterEnvironmentTestResult } from "../../types.js";
import { resolveCommand } from "../../utils/child-process.js";
import { configIssuesText } from "../../utils/cli-run.js";
import { composeChildEnv } from "../../utils/env.js";
import { environmentResult } from "../../utils/environment-result.js";
import { HERMES_DEFAULT_COMMAND, hermesConfigSchema } from "../config.js";

const KEY_NAME = /(?:_API_KEY|_TOKEN)$/;

function str(v: unknown): string | null {
  return typeof v === "string" && v.trim() ? v.trim() : null;
}

function cwdCheck(cwd: string | null): { check: AdapterEnvironmentCheck; usable: boolean } {
  if (cwd === null) return { check: { code: "hermes_cwd_default", level: "info", message: "No cwd configured: runs use the agent's home under the data directory" }, usable: false };
  const usable = path.isAbsolute(cwd) && fs.existsSync(cwd) && fs.statSync(cwd).isDirectory();
  return {
    usable,
    check: usable
      ? { code: "hermes_cwd_valid", level: "info", message: `Working directory ${cwd} exists` }
      : { code: "hermes_cwd_invalid", level: "error", message: `Working directory "${cwd}" is not an existing absolute directory`, hint: "Use an absolute path to an existing directory" },
  };
}

function apiKeyCheck(configEnv: unknown, childEnv: Record<string, string>): AdapterEnvironmentCheck {
  const configured = configEnv && typeof configEnv === "object" && !Array.isArray(configEnv) ? Object.keys(configEnv).filter((k) => KEY_NAME.test(k)) : [];
  if (configured.length > 0) return { code: "hermes_api_keys_found", level: "info", message: `Provider credentials in adapterConfig.env: ${configured.join(", ")}` };
  // Hermes also reads keys from its own home (`$HERMES_HOME/.env`, default ~/.hermes/.env).
  const hermesHome = childEnv.HERMES_HOME ?? (childEnv.HOME ? path.join(childEnv.HOME, ".hermes") : null);
  const dotEnv = hermesHome ? path.join(hermesHome, ".env") : null;
  if (dotEnv && fs.existsSync(dotEnv)) return { code: "hermes_api_keys_found", level: "info", message: `Hermes reads provider credentials from ${dotEnv}` };
  return {
    code: "hermes_no_api_keys",
    level: "warn",
    message: "No provider API key found for Hermes (none in adapterConfig.env, no ~/.hermes/.env)",
    hint: 'Run "hermes setup" as the server\'s user, or add e.g. OPENROUTER_API_KEY to adapterConfig.env as a secret',
  };
}

export async function testHermesEnvironment(ctx: AdapterEnvironmentTestContext): Promise<AdapterEnvironmentTestResult> {
  const config = (ctx.config ?? {}) as Record<string, unknown>;
  const checks: AdapterEnvironmentCheck[] = [];
  const parsed = hermesConfigSchema.safeParse(config);
  if (!parsed.success) {
    checks.push({ code: "hermes_config_invalid", level: "error", message: configIssuesText(parsed.error), hint: "Fix adapterConfig" });
  }
  const cwd = cwdCheck(str(config.cwd) === null ? null : (config.cwd as string));
  checks.push(cwd.check);

  const command = str(config.hermesCommand) ?? str(config.command) ?? HERMES_DEFAULT_COMMAND;
  const env = composeChildEnv(config.env, {});
  const resolved = resolveCommand(command, cwd.usable ? (config.cwd as string) : "/", env.PATH);
  checks.push(
    resolved
      ? { code: "hermes_cli_found", level: "info", message: `Hermes CLI: ${resolved}` }
      : { code: "hermes_cli_not_found", level: "error", message: `"${command}" is not an executable on PATH`, hint: "Install the Hermes Agent CLI (github.com/NousResearch/hermes-agent) or set adapterConfig.hermesCommand to its absolute path" },
  );

  const model = str(config.model);
  checks.push(
    model
      ? { code: "hermes_model_configured", level: "info", message: `Model ${model}${str(config.provider) ? ` via ${str(config.provider)}` : ""}` }
      : { code: "hermes_configured_default_model", level: "info", message: "No model configured: Hermes uses the default from its config.yaml" },
  );
  checks.push(apiKeyCheck(config.env, env));

  return environmentResult(ctx.adapterType, checks);
}
