/**
 * `testEnvironment` of `cursor`: the shared CLI checks (config, cwd, command) with `cursor_*` codes,
 * plus whether the agent carries its own CURSOR_API_KEY — without one, runs rely on an `agent login`
 * of the server's user, which this check cannot see, so it is a warning rather than an error.
 */
import type { AdapterEnvironmentTestContext, AdapterEnvironmentTestResult } from "../../types.js";
import { testCliEnvironment } from "../../utils/cli-environment.js";
import { environmentResult } from "../../utils/environment-result.js";
import { cursorConfigSchema, hasCursorApiKey } from "../config.js";

export async function testCursorEnvironment(ctx: AdapterEnvironmentTestContext): Promise<AdapterEnvironmentTestResult> {
  const base = testCliEnvironment(
    {
      prefix: "cursor",
      label: "Cursor Agent command",
      defaultCommand: "agent",
      installHint: 'Install the Cursor Agent CLI ("curl https://cursor.com/install -fsS | bash") or set adapterConfig.command to its absolute path',
      configSchema: cursorConfigSchema,
    },
    ctx,
  );
  return environmentResult(ctx.adapterType, [
    ...base.checks,
    hasCursorApiKey((ctx.config ?? {}).env)
      ? { code: "cursor_api_key_present", level: "info", message: "CURSOR_API_KEY is set in adapterConfig.env: runs are billed to that key" }
      : {
          code: "cursor_api_key_missing",
          level: "warn",
          message: "No CURSOR_API_KEY in adapterConfig.env: runs need the server's user to be logged in to Cursor",
          hint: 'Run "agent login" as the user the server runs as, or add CURSOR_API_KEY (as a secret) to adapterConfig.env',
        },
  ]);
}
