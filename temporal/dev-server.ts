/**
 * Launches `temporal server start-dev` with a persistent SQLite file, our search attributes and
 * closed-network flags, as a child that dies with us (setpriv --pdeathsig), and waits until it serves.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { Connection } from "@temporalio/client";
import { devServerSearchAttributeFlags } from "./search-attributes.js";
import { findOnPath } from "./cli-binary.js";

export interface DevServerOptions {
  cliPath: string;
  dbFile: string;
  port: number;
  /** 0 disables the web UI (tests). */
  uiPort: number;
  namespace?: string;
  ip?: string;
  /** Extra `--dynamic-config-value KEY=VALUE` pairs, e.g. a low continue-as-new threshold in tests. */
  dynamicConfig?: Record<string, string | number | boolean>;
  logFile?: string;
  readyTimeoutMs?: number;
}

export interface DevServer {
  address: string;
  uiUrl: string | undefined;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function isPortFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const ip = opts.ip ?? "127.0.0.1";
  if (!(await isPortFree(opts.port, ip))) {
    throw new Error(
      `Port ${opts.port} is already in use, so the embedded Temporal dev server cannot start. ` +
        `Stop whatever listens there, set SWITCHBOARD_TEMPORAL_PORT, or point TEMPORAL_ADDRESS at it.`,
    );
  }
  fs.mkdirSync(path.dirname(opts.dbFile), { recursive: true });
  const args = [
    "server", "start-dev",
    "--db-filename", opts.dbFile,
    "--ip", ip,
    "--port", String(opts.port),
    "--namespace", opts.namespace ?? "default",
    "--log-level", "warn",
    "--sqlite-pragma", "journal_mode=WAL",
    "--sqlite-pragma", "synchronous=NORMAL",
    // Closed networks: the periodic version check only produces failed outbound connections.
    "--dynamic-config-value", "frontend.enableServerVersionCheck=false",
    // Hand a just-scheduled activity to the worker that completes the workflow task: one poll less per run.
    "--dynamic-config-value", "system.enableActivityEagerExecution=true",
    ...devServerSearchAttributeFlags(),
    ...Object.entries(opts.dynamicConfig ?? {}).flatMap(([k, v]) => ["--dynamic-config-value", `${k}=${JSON.stringify(v)}`]),
    ...(opts.uiPort > 0 ? ["--ui-port", String(opts.uiPort), "--ui-ip", ip] : ["--headless"]),
  ];
  const out = opts.logFile ? fs.openSync(opts.logFile, "a") : "ignore";
  // setpriv makes the kernel SIGTERM the server if we die without cleaning up (SIGKILL, OOM).
  const setpriv = findOnPath("setpriv");
  const [cmd, argv] = setpriv
    ? [setpriv, ["--pdeathsig", "TERM", "--", opts.cliPath, ...args]]
    : [opts.cliPath, args];
  const child = spawn(cmd, argv, { stdio: ["ignore", out, out] });
  if (typeof out === "number") fs.closeSync(out);
  let exited = false;
  child.once("exit", () => (exited = true));

  const address = `${ip}:${opts.port}`;
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) throw new Error(`temporal dev server exited during start-up (see ${opts.logFile ?? "its output"})`);
    if (await isServing(address)) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`temporal dev server did not become ready at ${address}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    address,
    uiUrl: opts.uiPort > 0 ? `http://${ip}:${opts.uiPort}` : undefined,
    process: child,
    stop: () => stopChild(child),
  };
}

async function isServing(address: string): Promise<boolean> {
  let conn: Connection | undefined;
  try {
    conn = await Connection.connect({ address, connectTimeout: 1000 });
    await conn.workflowService.getSystemInfo({});
    return true;
  } catch {
    return false;
  } finally {
    await conn?.close().catch(() => undefined);
  }
}

export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
