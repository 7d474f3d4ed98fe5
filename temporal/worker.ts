/**
 * Worker bootstrap: one worker runs the agent and run workflows, their local DB activities, and the
 * activity that runs agent processes. The process activity is the only regular activity, so
 * `maxConcurrentActivityTaskExecutions` is exactly the global cap on agent processes per worker
 * (local activities have their own slots and are never starved by it).
 */
import { fileURLToPath } from "node:url";
import { Worker, type NativeConnection } from "@temporalio/worker";
import { createActivities } from "../activities/index.js";
import type { ActivityDeps } from "../activities/deps.js";
import type { SwitchboardConfig } from "../core/config.js";

export const workflowsPath = fileURLToPath(new URL("../workflows/index.ts", import.meta.url));

export interface WorkerSetOptions {
  connection: NativeConnection;
  config: SwitchboardConfig;
  deps: ActivityDeps;
  /** Pre-bundled workflow code (tests bundle once per run); otherwise bundled from `workflows/`. */
  workflowBundle?: { codePath: string } | { code: string };
  /** Seconds in-flight activities get on shutdown before they are cancelled. */
  shutdownGraceSec?: number;
}

export interface WorkerSet {
  run(): Promise<void>;
  shutdown(): Promise<void>;
}

export async function createWorkers(opts: WorkerSetOptions): Promise<WorkerSet> {
  const { connection, config } = opts;
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath }),
    activities: createActivities(opts.deps),
    maxConcurrentActivityTaskExecutions: config.maxConcurrentProcesses,
    // Cancellation reaches an activity only with a heartbeat response; sending one every second (not
    // the default 0.8 × heartbeatTimeout) lets a board "cancel" stop a process within seconds.
    maxHeartbeatThrottleInterval: "1s",
    shutdownGraceTime: `${opts.shutdownGraceSec ?? 5}s`,
  });
  let running: Promise<void> | undefined;
  return {
    run() {
      running ??= worker.run();
      return running;
    },
    async shutdown() {
      if (worker.getState() === "RUNNING") worker.shutdown();
      await running;
    },
  };
}
