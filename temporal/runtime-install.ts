/**
 * The Temporal worker runtime is process-global. Install it once, before any worker exists, with
 * our shutdown order (we handle SIGINT/SIGTERM ourselves) and a quiet logger (no webpack chatter).
 */
import { DefaultLogger, Runtime, type LogLevel } from "@temporalio/worker";

let installed = false;

export function installTemporalRuntime(level: LogLevel = "WARN"): void {
  if (installed) return;
  installed = true;
  try {
    Runtime.install({ logger: new DefaultLogger(level), shutdownSignals: [] });
  } catch {
    // Already instantiated by someone else (e.g. a test helper): keep theirs.
  }
}
