/**
 * `npm run temporal:setup`: registers Switchboard's search attributes on an existing Temporal
 * cluster (the dev-server launcher passes them as flags itself). Safe to run again.
 */
import { Connection } from "@temporalio/client";
import { loadConfig } from "../core/config.js";
import { ALL_SEARCH_ATTRIBUTES } from "../temporal/search-attributes.js";

const config = loadConfig();
if (!config.temporal.address) {
  console.error("Set TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE, TLS / API key settings) to the cluster to set up.");
  process.exit(1);
}
const connection = await Connection.connect({
  address: config.temporal.address,
  ...(config.temporal.apiKey ? { apiKey: config.temporal.apiKey } : {}),
  ...(config.temporal.tls ? { tls: true } : {}),
});
const KEYWORD = 2; // temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
const existing = await connection.operatorService.listSearchAttributes({ namespace: config.temporal.namespace });
const missing = ALL_SEARCH_ATTRIBUTES.map((k) => k.name).filter((name) => !(name in (existing.customAttributes ?? {})));
if (missing.length === 0) {
  console.log(`All search attributes already exist in namespace ${config.temporal.namespace}.`);
} else {
  await connection.operatorService.addSearchAttributes({
    namespace: config.temporal.namespace,
    searchAttributes: Object.fromEntries(missing.map((name) => [name, KEYWORD])),
  });
  console.log(`Registered ${missing.join(", ")} in namespace ${config.temporal.namespace}.`);
}
await connection.close();
