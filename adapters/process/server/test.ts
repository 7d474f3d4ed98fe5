/**
 * Environment diagnostics for `process`: the config parses, the cwd (when set) exists, and there is a
 * command that resolves to an executable. `process` has no default command, so a missing one is its
 * own check (`process_command_missing`) instead of a lookup of nothing.
 */
import type { AdapterEnvironmentTestContext, AdapterEnvironmentTestResult } from "../../types.js";
import { testCliEnvironment } from "../../utils/cli-environment.js";
import { environmentResult } from "../../utils/environment-result.js";
import { processConfigSchema } from "../config.js";

export async function testProcessEnvironment(ctx: AdapterEnvironmentTestContext): Promise<AdapterEnvironmentTestResult> {
  const config = (ctx.config ?? {}) as Record<string, unknown>;
  const command = typeof config.command === "string" ? config.command.trim() : "";
  const base = testCliEnvironment(
    {
      prefix: "process",
      label: "Command resolves to",
      defaultCommand: command,
      installHint: "Use an absolute path, or add the command's folder to PATH in adapterConfig.env",
      configSchema: processConfigSchema,
    },
    ctx,
  );
  const checks = base.checks.filter((c) => command || !c.code.startsWith("process_command_"));
  checks.push(
    command
      ? { code: "process_command_present", level: "info", message: `Command: ${command}` }
      : { code: "process_command_missing", level: "error", message: "No command configured", hint: "Set adapterConfig.command to an executable path or a name on PATH" },
  );
  return environmentResult(ctx.adapterType, checks);
}
