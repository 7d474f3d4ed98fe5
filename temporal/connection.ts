/** Client and worker connections built from config (dev server, self-hosted with TLS, or Temporal Cloud). */
import fs from "node:fs";
import { Client, Connection } from "@temporalio/client";
import { NativeConnection } from "@temporalio/worker";
import type { SwitchboardConfig } from "../core/config.js";

function tlsOptions(cfg: SwitchboardConfig["temporal"]) {
  if (!cfg.tls) return undefined;
  if (cfg.tlsCertPath && cfg.tlsKeyPath) {
    return { clientCertPair: { crt: fs.readFileSync(cfg.tlsCertPath), key: fs.readFileSync(cfg.tlsKeyPath) } };
  }
  return true as const;
}

export async function connectClient(cfg: SwitchboardConfig["temporal"], address: string): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect({ address, tls: tlsOptions(cfg), apiKey: cfg.apiKey });
  return { client: new Client({ connection, namespace: cfg.namespace }), connection };
}

export async function connectWorker(cfg: SwitchboardConfig["temporal"], address: string): Promise<NativeConnection> {
  return NativeConnection.connect({ address, tls: tlsOptions(cfg), apiKey: cfg.apiKey });
}
