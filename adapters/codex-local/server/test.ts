/**
 * `codex_local` testEnvironment: the shared CLI checks (config, cwd, command) with `codex_…` codes,
 * and a hint that points at the Codex CLI's installer.
 */
import type { AdapterEnvironmentTestContext, AdapterEnvironmentTestResult } from "../../types.js";
import { testCliEnvironment } from "../../utils/cli-environment.js";
import { codexConfigSchema } from "../config.js";

export async function testCodexEnvironment(ctx: AdapterEnvironmentTestContext): Promise<AdapterEnvironmentTestResult> {
  return testCliEnvironment(
    {
      prefix: "codex",
      label: "Codex CLI",
      defaultCommand: "codex",
      installHint: 'Install the Codex CLI ("npm install -g @openai/codex"), or set adapterConfig.command to its absolute path',
      configSchema: codexConfigSchema,
    },
    ctx,
  );
}
