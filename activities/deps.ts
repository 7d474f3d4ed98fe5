/** What activities need from the outside world, injected once when the worker starts. */
import type { SwitchboardConfig } from "../core/config.js";
import type { Db } from "../db/connection.js";

export interface ActivityDeps {
  db: Db;
  config: Pick<SwitchboardConfig, "agentApiUrl" | "runHeartbeatTimeoutSec" | "runMaxAttempts" | "home">;
}
