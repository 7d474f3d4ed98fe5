/**
 * `claude_local` testEnvironment: the shared CLI checks (config, cwd, command) with `claude_…` codes,
 * and a hint that points at Claude Code's own installer.
 */
import type { AdapterEnvironmentTestContext, AdapterEnvironmentTestResult } from "../../types.js";
import { testCliEnvironment } from "../../utils/cli-environment.js";
import { claudeConfigSchema } from "../config.js";

export async function testClaudeEnvironment(ctx: AdapterEnvironmentTestContext): Promise<AdapterEnvironmentTestResult> {
  return testCliEnvironment(
    {
      prefix: "claude",
      label: "Claude Code command",
      defaultCommand: "claude",
      installHint: "Install Claude Code (npm install -g @anthropic-ai/claude-code) or set adapterConfig.command to its absolute path",
      configSchema: claudeConfigSchema,
    },
    ctx,
  );
}
