/**
 * `npm run temporal:setup`: registers Switchboard's search attributes on an existing Temporal
 * cluster (the dev-server launcher passes them as flags itself). Safe to run again.
 */
import { loadConfig } from "../core/config.js";
import { connectClient } from "../temporal/connection.js";
import { ensureSearchAttributes } from "../temporal/search-attributes.js";

const config = loadConfig();
if (!config.temporal.address) {
  console.error("Set TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE, TLS / API key settings) to the cluster to set up.");
  process.exit(1);
}
const { connection } = await connectClient(config.temporal, config.temporal.address);
const added = await ensureSearchAttributes(connection, config.temporal.namespace);
console.log(added.length ? `Registered ${added.join(", ")} in namespace ${config.temporal.namespace}.` : `All search attributes already exist in namespace ${config.temporal.namespace}.`);
await connection.close();
