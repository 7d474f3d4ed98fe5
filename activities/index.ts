/** All activity implementations, bound to their dependencies. */
import type { ActivityDeps } from "./deps.js";
import { createExecuteActivities } from "./execute-run.js";
import { createRunActivities } from "./runs.js";
import type { Activities } from "./types.js";
import { createWakeupActivities } from "./wakeups.js";

export function createActivities(deps: ActivityDeps): Activities {
  return { ...createWakeupActivities(deps), ...createRunActivities(deps), ...createExecuteActivities(deps) };
}
