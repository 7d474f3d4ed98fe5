/**
 * Starts Switchboard in-process against the shared dev server and test database, on its own task
 * queue and port, so test files can run in parallel without stealing each other's work.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { inject } from "vitest";
import { loadConfig, type SwitchboardConfig } from "../../core/config.js";
import { startRuntime, type Runtime } from "../../cli/runtime.js";
import { ApiClient } from "./api-client.js";
import { freePort } from "./ports.js";

export interface TestRuntime {
  runtime: Runtime;
  config: SwitchboardConfig;
  api: ApiClient;
  baseUrl: string;
  stop(): Promise<void>;
}

export interface TestRuntimeOptions {
  role?: "all" | "api" | "worker";
  env?: Record<string, string>;
  taskQueue?: string;
}

export function testEnv(extra: Record<string, string> = {}, taskQueue = `test-${randomUUID()}`): Record<string, string> {
  return {
    DATABASE_URL: inject("databaseUrl"),
    TEMPORAL_ADDRESS: inject("temporalAddress"),
    TEMPORAL_TASK_QUEUE: taskQueue,
    SWITCHBOARD_HOME: fs.mkdtempSync(path.join(os.tmpdir(), "sb-home-")),
    // Short real intervals instead of time skipping: a dead worker is noticed in 3 s.
    SWITCHBOARD_RUN_HEARTBEAT_TIMEOUT_SEC: "3",
    LOG_LEVEL: "warn",
    ...extra,
  };
}

export async function startTestRuntime(opts: TestRuntimeOptions = {}): Promise<TestRuntime> {
  const port = await freePort();
  const env = testEnv({ PORT: String(port), SWITCHBOARD_ROLE: opts.role ?? "all", ...(opts.env ?? {}) }, opts.taskQueue);
  const config = loadConfig(env);
  const runtime = await startRuntime(config, { log: () => undefined, workflowBundle: { codePath: inject("workflowBundlePath") } });
  const baseUrl = runtime.apiUrl ?? `http://127.0.0.1:${port}`;
  return { runtime, config, api: new ApiClient(baseUrl), baseUrl, stop: () => runtime.stop() };
}
