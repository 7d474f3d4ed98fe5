/**
 * Spawns an agent process safely: argv only (no shell), its own process group, killed with the
 * worker (setpriv --pdeathsig), a timeout and a cancel that both do SIGTERM → grace → SIGKILL of the
 * whole group, and streamed output with back-pressure.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { findOnPath } from "../../temporal/cli-binary.js";

export const EXCERPT_BYTES = 32 * 1024;

export interface RunChildProcessOptions {
  cwd: string;
  env: Record<string, string>;
  /** 0 = no timeout. */
  timeoutSec: number;
  graceSec: number;
  onLog: (stream: "stdout" | "stderr", chunk: string) => Promise<void>;
  onSpawn?: (meta: { pid: number; processGroupId: number | null; startedAt: string }) => Promise<void>;
  stdin?: string;
  signal?: AbortSignal;
}

export interface RunProcessResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  pid: number | null;
  startedAt: string;
  finishedAt: string;
  stdoutExcerpt: string;
  stderrExcerpt: string;
}

/** Raised before anything runs: the command or working directory is unusable. */
export class SpawnSetupError extends Error {
  override name = "SpawnSetupError";
  constructor(readonly code: "command_not_found" | "invalid_cwd", message: string) {
    super(message);
  }
}

export function resolveCommand(command: string, cwd: string, envPath: string | undefined): string | undefined {
  if (command.includes("/")) {
    const abs = path.resolve(cwd, command);
    try {
      fs.accessSync(abs, fs.constants.X_OK);
      return fs.statSync(abs).isFile() ? abs : undefined;
    } catch {
      return undefined;
    }
  }
  return findOnPath(command, envPath ?? "");
}

const setprivPath = findOnPath("setpriv", process.env.PATH ?? "") ?? (fs.existsSync("/usr/bin/setpriv") ? "/usr/bin/setpriv" : undefined);

/** Sends a signal to a whole process group; a group that is already gone is fine. */
export function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

class TailBuffer {
  private text = "";
  push(chunk: string) {
    this.text += chunk;
    if (this.text.length > EXCERPT_BYTES * 2) this.text = this.text.slice(-EXCERPT_BYTES);
  }
  value() {
    return this.text.slice(-EXCERPT_BYTES);
  }
}

export async function runChildProcess(command: string, args: string[], opts: RunChildProcessOptions): Promise<RunProcessResult> {
  if (!path.isAbsolute(opts.cwd) || !fs.existsSync(opts.cwd) || !fs.statSync(opts.cwd).isDirectory()) {
    throw new SpawnSetupError("invalid_cwd", `Working directory "${opts.cwd}" is not an existing absolute directory`);
  }
  const resolved = resolveCommand(command, opts.cwd, opts.env.PATH);
  if (!resolved) {
    throw new SpawnSetupError(
      "command_not_found",
      `Failed to start command "${command}" in "${opts.cwd}": not found or not executable (PATH=${opts.env.PATH ?? ""})`,
    );
  }
  // setpriv execs the command in place, so the pid we see is the agent's, and the kernel kills it
  // if this worker dies without cleaning up.
  const [file, argv] = setprivPath ? [setprivPath, ["--pdeathsig", "KILL", "--", resolved, ...args]] : [resolved, args];
  const startedAt = new Date().toISOString();
  const child = spawn(file, argv, {
    cwd: opts.cwd,
    env: opts.env,
    detached: true,
    shell: false,
    stdio: [opts.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  const pid = child.pid ?? null;
  let timedOut = false;
  let cancelled = false;
  let killTimer: NodeJS.Timeout | undefined;

  const terminate = () => {
    if (pid === null || child.exitCode !== null || child.signalCode !== null) return;
    killGroup(pid, "SIGTERM");
    killTimer ??= setTimeout(() => killGroup(pid, "SIGKILL"), Math.max(1, opts.graceSec) * 1000);
  };
  const timeoutTimer =
    opts.timeoutSec > 0
      ? setTimeout(() => {
          timedOut = true;
          terminate();
        }, opts.timeoutSec * 1000)
      : undefined;
  const onAbort = () => {
    cancelled = true;
    terminate();
  };
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener("abort", onAbort, { once: true });

  const tails = { stdout: new TailBuffer(), stderr: new TailBuffer() };
  let logChain: Promise<void> = Promise.resolve();
  for (const stream of ["stdout", "stderr"] as const) {
    const readable = child[stream];
    readable?.setEncoding("utf8");
    readable?.on("data", (chunk: string) => {
      tails[stream].push(chunk);
      // Back-pressure: a stream stays paused until its chunk is persisted, in arrival order.
      readable.pause();
      logChain = logChain
        .then(() => opts.onLog(stream, chunk))
        .catch(() => undefined)
        .finally(() => readable.resume());
    });
  }

  // Listen before any await: a short-lived process can exit while onSpawn is being persisted.
  const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  if (pid !== null && opts.onSpawn) await opts.onSpawn({ pid, processGroupId: pid, startedAt });
  if (opts.stdin !== undefined && child.stdin) {
    child.stdin.on("error", () => undefined); // the agent may exit without reading its stdin
    child.stdin.end(opts.stdin);
  }

  const exit = await Promise.race([
    exited,
    spawnError.then((err) => {
      throw new SpawnSetupError("command_not_found", `Failed to start command "${command}": ${err.message}`);
    }),
  ]).finally(() => {
    clearTimeout(timeoutTimer);
    opts.signal?.removeEventListener("abort", onAbort);
  });
  // A background grandchild may hold the pipes open: give output 2 s to drain, then stop reading.
  await Promise.race([closed, new Promise<void>((resolve) => setTimeout(resolve, 2000).unref())]);
  child.stdout?.destroy();
  child.stderr?.destroy();
  await logChain;
  if (timedOut || cancelled) {
    // The leader is gone; make sure nothing it started survives the timeout or cancel.
    if (pid !== null) killGroup(pid, "SIGKILL");
  }
  clearTimeout(killTimer);
  return {
    exitCode: exit.code,
    signal: exit.signal,
    timedOut,
    cancelled,
    pid,
    startedAt,
    finishedAt: new Date().toISOString(),
    stdoutExcerpt: tails.stdout.value(),
    stderrExcerpt: tails.stderr.value(),
  };
}
