/** `npm run api`: an API-only process in front of an existing Postgres and Temporal. */
import { loadConfig } from "../core/config.js";
import { startRuntime } from "./runtime.js";

const config = { ...loadConfig(), role: "api" as const };
if (!config.databaseUrl || !config.temporal.address) {
  console.error("An API-only process needs DATABASE_URL and TEMPORAL_ADDRESS");
  process.exit(1);
}
const runtime = await startRuntime(config);
console.log(`[switchboard] API listening on ${runtime.apiUrl}`);
const stop = () => void runtime.stop().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
