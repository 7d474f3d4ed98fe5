/** Environment diagnostics for `process`: is there a command, is it runnable, is the cwd usable. */
import fs from "node:fs";
import path from "node:path";
import type { AdapterEnvironmentCheck, AdapterEnvironmentTestContext, AdapterEnvironmentTestResult } from "../types.js";
import { composeChildEnv } from "../utils/env.js";
import { resolveCommand } from "../utils/child-process.js";

export async function testProcessEnvironment(ctx: AdapterEnvironmentTestContext): Promise<AdapterEnvironmentTestResult> {
  const checks: AdapterEnvironmentCheck[] = [];
  const command = typeof ctx.config.command === "string" ? ctx.config.command.trim() : "";
  const cwd = typeof ctx.config.cwd === "string" ? ctx.config.cwd : process.cwd();
  const cwdOk = path.isAbsolute(cwd) && fs.existsSync(cwd) && fs.statSync(cwd).isDirectory();
  checks.push(
    cwdOk
      ? { code: "process_cwd_valid", level: "info", message: `Working directory ${cwd} exists` }
      : { code: "process_cwd_invalid", level: "error", message: `Working directory "${cwd}" is not an existing absolute directory`, hint: "Use an absolute path such as /srv/agent" },
  );
  if (!command) {
    checks.push({ code: "process_command_missing", level: "error", message: "No command configured", hint: "Set adapterConfig.command" });
  } else {
    checks.push({ code: "process_command_present", level: "info", message: `Command: ${command}` });
    const env = composeChildEnv(ctx.config.env, {});
    const resolved = resolveCommand(command, cwdOk ? cwd : "/", env.PATH);
    checks.push(
      resolved
        ? { code: "process_command_resolvable", level: "info", message: `Resolved to ${resolved}` }
        : { code: "process_command_unresolvable", level: "error", message: `"${command}" is not an executable on PATH`, hint: "Use an absolute path or add its folder to PATH in adapterConfig.env" },
    );
  }
  const status = checks.some((c) => c.level === "error") ? "fail" : checks.some((c) => c.level === "warn") ? "warn" : "pass";
  return { adapterType: ctx.adapterType, status, checks, testedAt: new Date().toISOString() };
}
