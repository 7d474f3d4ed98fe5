import type { SwitchboardConfig } from "../core/config.js";
import type { InstanceKeys } from "../core/instance-keys.js";
import type { Db } from "../db/connection.js";
import type { AgentScheduler } from "../temporal/agent-scheduler.js";

export interface ApiDeps {
  db: Db;
  /** The same database, for the live-events LISTEN connection (a pooled client cannot LISTEN). */
  databaseUrl: string;
  scheduler: AgentScheduler;
  config: Pick<SwitchboardConfig, "port" | "host" | "auth" | "home">;
  keys: InstanceKeys;
  version: string;
}
