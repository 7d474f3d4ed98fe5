/**
 * `npm run temporal:setup`: registers Switchboard's search attributes on an existing Temporal
 * cluster (the dev-server launcher passes them as flags itself). Safe to run again.
 */
import fs from "node:fs";
import { Connection } from "@temporalio/client";
import { loadConfig } from "../core/config.js";
import { ensureSearchAttributes } from "../temporal/search-attributes.js";

const config = loadConfig();
if (!config.temporal.address) {
  console.error("Set TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE, TLS / API key settings) to the cluster to set up.");
  process.exit(1);
}
const t = config.temporal;
const connection = await Connection.connect({
  address: t.address!,
  ...(t.apiKey ? { apiKey: t.apiKey } : {}),
  ...(t.tls
    ? { tls: t.tlsCertPath && t.tlsKeyPath ? { clientCertPair: { crt: fs.readFileSync(t.tlsCertPath), key: fs.readFileSync(t.tlsKeyPath) } } : true }
    : {}),
});
const added = await ensureSearchAttributes(connection, t.namespace);
console.log(added.length ? `Registered ${added.join(", ")} in namespace ${t.namespace}.` : `All search attributes already exist in namespace ${t.namespace}.`);
await connection.close();
