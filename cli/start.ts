/**
 * `npm start`: everything in one process tree — embedded Postgres and a Temporal dev server unless
 * DATABASE_URL / TEMPORAL_ADDRESS point elsewhere, then the worker and the API. Ctrl-C stops it all.
 */
import { ConfigError, loadConfig } from "../core/config.js";
import { startRuntime } from "./runtime.js";

async function main(): Promise<void> {
  const config = loadConfig();
  const log = (l: string) => console.log(`[switchboard] ${l}`);
  log(`data directory: ${config.home}`);
  const runtime = await startRuntime(config, { log });
  const lines = [
    runtime.apiUrl ? `API:          ${runtime.apiUrl}/api  (health: ${runtime.apiUrl}/api/health)` : undefined,
    `Temporal:     ${runtime.temporalAddress} (namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue})`,
    runtime.temporalUiUrl ? `Temporal UI:  ${runtime.temporalUiUrl}` : undefined,
    runtime.workers ? `Worker:       running (max ${config.maxConcurrentProcesses} agent processes at once)` : undefined,
  ].filter(Boolean);
  console.log(`\nSwitchboard is running.\n  ${lines.join("\n  ")}\nPress Ctrl-C to stop.\n`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal} received, stopping...`);
    runtime.stop().then(
      () => {
        log("stopped");
        process.exit(0);
      },
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error("[switchboard] failed to start:", err instanceof Error ? err.message : err);
  process.exit(1);
});
