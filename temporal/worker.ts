/**
 * Worker bootstrap. Two workers share one connection: `<queue>` runs the workflows and short DB
 * activities; `<queue>-exec` runs agent processes, capped by SWITCHBOARD_MAX_CONCURRENT_PROCESSES so
 * a burst of wakeups cannot fork-bomb the machine while DB activities are never starved by it.
 */
import { fileURLToPath } from "node:url";
import { Worker, type NativeConnection, type WorkerOptions } from "@temporalio/worker";
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
  const activities = createActivities(opts.deps);
  const common: Partial<WorkerOptions> = {
    connection,
    namespace: config.temporal.namespace,
    shutdownGraceTime: `${opts.shutdownGraceSec ?? 5}s`,
  };
  const orchestration = await Worker.create({
    ...common,
    taskQueue: config.temporal.taskQueue,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath }),
    // Everything but the long process activity, which lives on the exec queue.
    activities: withoutKeys(activities, ["executeRun"]),
  });
  const exec = await Worker.create({
    ...common,
    taskQueue: config.temporal.execTaskQueue,
    activities: { executeRun: activities.executeRun },
    maxConcurrentActivityTaskExecutions: config.maxConcurrentProcesses,
    // Cancellation reaches an activity only with a heartbeat response; sending one every second (not
    // the default 0.8 × heartbeatTimeout) lets a board "cancel" stop a process within seconds.
    maxHeartbeatThrottleInterval: "1s",
  });
  let running: Promise<void> | undefined;
  return {
    run() {
      running ??= Promise.all([orchestration.run(), exec.run()]).then(() => undefined);
      return running;
    },
    async shutdown() {
      for (const w of [orchestration, exec]) {
        if (w.getState() === "RUNNING") w.shutdown();
      }
      await running;
    },
  };
}

function withoutKeys<T extends object, K extends keyof T>(obj: T, keys: K[]): Omit<T, K> {
  return Object.fromEntries(Object.entries(obj).filter(([k]) => !keys.includes(k as K))) as Omit<T, K>;
}
