/**
 * Parent side of the isolated adapter host (adapters/external/host.mjs): starts one short-lived Node
 * process per call into a package, with an allow-listed environment, forwards the package's ctx
 * callbacks to real handlers (acknowledging each, so a fast agent cannot outrun the run-log writer),
 * and guarantees an answer: a timeout, a crash of the host or a cancellation all end the call, and
 * whatever the package spawned (reported through onSpawn) is killed with it.
 */
import { fork, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { findOnPath } from "../../temporal/cli-binary.js";
import { killGroup } from "../utils/child-process.js";

export const HOST_PATH = fileURLToPath(new URL("./host.mjs", import.meta.url));

export type HostOp = "describe" | "testEnvironment" | "execute";

export interface HostCallHandlers {
  onLog?: (stream: "stdout" | "stderr", chunk: string) => Promise<void>;
  onMeta?: (meta: unknown) => Promise<void>;
  onSpawn?: (meta: { pid: number; processGroupId: number | null; startedAt: string }) => Promise<void>;
  onEvent?: (event: unknown) => Promise<void>;
}

export interface HostRunOptions {
  op: HostOp;
  entryPath: string;
  packageName: string;
  payload: Record<string, unknown>;
  env: Record<string, string>;
  cwd: string;
  /** Whole-call limit (describe, testEnvironment); execute relies on the run's own timeout instead. */
  timeoutMs?: number;
  /** Cancellation: the host aborts ctx.signal, then after `graceMs` everything is killed. */
  signal?: AbortSignal;
  graceMs?: number;
  handlers?: HostCallHandlers;
}

export type HostErrorCode = "adapter_host_crashed" | "adapter_host_timeout" | "cancelled" | string;

export class HostError extends Error {
  override name = "HostError";
  constructor(
    readonly code: HostErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const setprivPath = findOnPath("setpriv", process.env.PATH ?? "") ?? (fs.existsSync("/usr/bin/setpriv") ? "/usr/bin/setpriv" : undefined);
const STDERR_TAIL = 4000;

type HostMessage =
  | { t: "call"; id: number; name: string; args: unknown[] }
  | { t: "done"; ok: true; value: unknown }
  | { t: "done"; ok: false; error: { code?: unknown; message?: unknown } };

function asHostMessage(raw: unknown): HostMessage | null {
  if (!raw || typeof raw !== "object") return null;
  const m = raw as Record<string, unknown>;
  if (m.t === "call" && typeof m.id === "number" && typeof m.name === "string" && Array.isArray(m.args)) return m as HostMessage;
  if (m.t === "done" && typeof m.ok === "boolean") return m as HostMessage;
  return null;
}

function spawnHost(cwd: string, env: Record<string, string>): ChildProcess {
  // Through setpriv the kernel kills the host if this worker dies; the package's own agent process
  // is reaped by the next attempt (its pid travels in the activity heartbeat, via onSpawn).
  return fork(HOST_PATH, [], {
    cwd,
    env,
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    serialization: "json",
    ...(setprivPath ? { execPath: setprivPath, execArgv: ["--pdeathsig", "KILL", "--", process.execPath] } : { execArgv: [] }),
  });
}

/** Runs one operation in a fresh host and returns the package's answer (or throws a HostError). */
export function runInHost(opts: HostRunOptions): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawnHost(opts.cwd, opts.env);
    const groups = new Set<number>();
    let stderrTail = "";
    let settled = false;
    const timers: NodeJS.Timeout[] = [];

    const killAll = (signal: NodeJS.Signals) => {
      for (const g of groups) killGroup(g, signal);
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      opts.signal?.removeEventListener("abort", onAbort);
      fn();
      // A package may leave timers behind: the host gets a moment to exit on its own, then goes.
      setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }, 2000).unref();
    };
    const fail = (code: HostErrorCode, message: string) => settle(() => reject(new HostError(code, message)));

    child.stdout?.resume(); // a package's console.log has nowhere to go; never let the pipe fill
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL);
    });

    child.on("message", (raw: unknown) => {
      const msg = asHostMessage(raw);
      if (!msg || settled) return;
      if (msg.t === "done") {
        if (msg.ok) settle(() => resolve(msg.value));
        else fail(typeof msg.error.code === "string" ? msg.error.code : "adapter_failed", typeof msg.error.message === "string" ? msg.error.message : "The adapter failed");
        return;
      }
      void handleCall(msg.name, msg.args).then(
        () => reply(msg.id, true),
        (err: unknown) => reply(msg.id, false, err instanceof Error ? err.message : String(err)),
      );
    });
    const reply = (id: number, ok: boolean, error?: string) => {
      if (child.connected) child.send({ t: "reply", id, ok, ...(error ? { error } : {}) }, (err) => void err);
    };
    const handleCall = async (name: string, args: unknown[]): Promise<void> => {
      const h = opts.handlers ?? {};
      if (name === "onLog") {
        const [stream, chunk] = args;
        if (typeof chunk === "string") await h.onLog?.(stream === "stderr" ? "stderr" : "stdout", chunk);
      } else if (name === "onSpawn") {
        const meta = (args[0] ?? {}) as Record<string, unknown>;
        const pid = Number(meta.pid);
        const pgid = meta.processGroupId === null || meta.processGroupId === undefined ? null : Number(meta.processGroupId);
        if (!Number.isInteger(pid) || pid <= 0) return;
        groups.add(pgid && Number.isInteger(pgid) && pgid > 0 ? pgid : pid);
        await h.onSpawn?.({ pid, processGroupId: pgid, startedAt: typeof meta.startedAt === "string" ? meta.startedAt : new Date().toISOString() });
      } else if (name === "onMeta") {
        await h.onMeta?.(args[0]);
      } else if (name === "onEvent") {
        await h.onEvent?.(args[0]);
      }
    };

    child.once("error", (err) => {
      killAll("SIGKILL");
      fail("adapter_host_crashed", `Could not start the adapter host for "${opts.packageName}": ${err.message}`);
    });
    child.once("exit", (code, signal) => {
      if (settled) return;
      // The host died mid-call: what the package started must not outlive it.
      for (const g of groups) killGroup(g, "SIGKILL");
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const tail = stderrTail.trim() ? `: ${stderrTail.trim().split("\n").slice(-5).join(" | ")}` : "";
      fail("adapter_host_crashed", `The adapter host for "${opts.packageName}" ${how} before the adapter answered${tail}`);
    });

    const onAbort = () => {
      if (settled) return;
      if (child.connected) child.send({ t: "abort" }, (err) => void err);
      for (const g of groups) killGroup(g, "SIGTERM");
      timers.push(
        setTimeout(() => {
          killAll("SIGKILL");
          fail("cancelled", "Run cancelled");
        }, opts.graceMs ?? 15_000),
      );
    };
    if (opts.timeoutMs) {
      timers.push(
        setTimeout(() => {
          killAll("SIGKILL");
          fail("adapter_host_timeout", `Adapter package "${opts.packageName}" did not answer ${opts.op} within ${Math.round(opts.timeoutMs! / 1000)}s`);
        }, opts.timeoutMs),
      );
    }

    child.send({ t: "start", op: opts.op, entryPath: opts.entryPath, packageName: opts.packageName, payload: opts.payload }, (err) => {
      if (err) {
        killAll("SIGKILL");
        fail("adapter_host_crashed", `Could not reach the adapter host for "${opts.packageName}": ${err.message}`);
      }
    });
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener("abort", onAbort, { once: true });
  });
}
