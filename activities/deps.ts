/** What activities need from the outside world, injected once when the worker starts. */
import type { SwitchboardConfig } from "../core/config.js";
import type { InstanceKeys } from "../core/instance-keys.js";
import type { Db } from "../db/connection.js";
import type { AgentScheduler } from "../temporal/agent-scheduler.js";

export interface ActivityDeps {
  db: Db;
  config: Pick<SwitchboardConfig, "agentApiUrl" | "runHeartbeatTimeoutSec" | "runMaxAttempts" | "home" | "auth">;
  keys: InstanceKeys;
  /** Agent workflows, for side effects a run causes elsewhere (a budget hard stop pauses other agents). */
  scheduler?: AgentScheduler;
}
