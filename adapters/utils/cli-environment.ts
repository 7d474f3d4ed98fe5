/**
 * `testEnvironment` for adapters that run a local CLI: the config parses, the working directory (when
 * set) is an existing absolute directory, and the command resolves to an executable — each a check
 * with a stable code (`<prefix>_…`) and a hint a person can act on.
 */
import fs from "node:fs";
import path from "node:path";
import type { z } from "zod";
import type { AdapterEnvironmentCheck, AdapterEnvironmentTestContext, AdapterEnvironmentTestResult } from "../types.js";
import { resolveCommand } from "./child-process.js";
import { composeChildEnv } from "./env.js";
import { environmentResult } from "./environment-result.js";

export interface CliEnvironmentSpec {
  /** Code prefix, e.g. `claude` → `claude_cwd_invalid`. */
  prefix: string;
  label: string;
  defaultCommand: string;
  installHint: string;
  configSchema: z.ZodType;
}

export function testCliEnvironment(spec: CliEnvironmentSpec, ctx: AdapterEnvironmentTestContext): AdapterEnvironmentTestResult {
  const checks: AdapterEnvironmentCheck[] = [];
  const config = (ctx.config ?? {}) as Record<string, unknown>;
  const parsed = spec.configSchema.safeParse(config);
  if (!parsed.success) {
    const message = parsed.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`).join("; ");
    checks.push({ code: `${spec.prefix}_config_invalid`, level: "error", message, hint: "Fix adapterConfig" });
  }
  const command = typeof config.command === "string" && config.command.trim() ? config.command.trim() : spec.defaultCommand;
  const cwd = typeof config.cwd === "string" ? config.cwd : null;
  let cwdOk = false;
  if (cwd === null) {
    checks.push({ code: `${spec.prefix}_cwd_default`, level: "info", message: "No cwd configured: runs use the agent's home under the data directory" });
  } else {
    cwdOk = path.isAbsolute(cwd) && fs.existsSync(cwd) && fs.statSync(cwd).isDirectory();
    checks.push(
      cwdOk
        ? { code: `${spec.prefix}_cwd_valid`, level: "info", message: `Working directory ${cwd} exists` }
        : { code: `${spec.prefix}_cwd_invalid`, level: "error", message: `Working directory "${cwd}" is not an existing absolute directory`, hint: "Use an absolute path to an existing directory, such as /srv/repo" },
    );
  }
  const env = composeChildEnv(config.env, {});
  const resolved = resolveCommand(command, cwdOk && cwd ? cwd : "/", env.PATH);
  checks.push(
    resolved
      ? { code: `${spec.prefix}_command_resolvable`, level: "info", message: `${spec.label}: ${resolved}` }
      : { code: `${spec.prefix}_command_unresolvable`, level: "error", message: `"${command}" is not an executable on PATH`, hint: spec.installHint },
  );
  return environmentResult(ctx.adapterType, checks);
}
