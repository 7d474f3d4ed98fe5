/**
 * Finds the `temporal` CLI that runs the embedded dev server, in the order DESIGN.md gives:
 * $TEMPORAL_CLI → `temporal` on PATH → a cached copy → build it with Go → fail with instructions.
 * Nothing is downloaded as a binary: on a closed network only the Go module proxy is reachable.
 */
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const TEMPORAL_CLI_MODULE = "github.com/temporalio/cli/cmd/temporal";
/** Newest CLI tag whose go.mod has no `replace`, so `go install pkg@version` accepts it. */
export const TEMPORAL_CLI_VERSION = "v1.5.1";

/** Shared across data directories: building the CLI takes minutes, so do it once per machine. */
export function defaultCliCacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "switchboard", "bin");
}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

export function findOnPath(name: string, envPath = process.env.PATH ?? ""): string | undefined {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function goBinary(): string | undefined {
  return findOnPath("go") ?? (isExecutable("/usr/local/go/bin/go") ? "/usr/local/go/bin/go" : undefined);
}

export interface ResolveOptions {
  explicitPath?: string | undefined;
  cacheDir?: string;
  log?: (line: string) => void;
}

export async function resolveTemporalCli(opts: ResolveOptions = {}): Promise<string> {
  const log = opts.log ?? ((l: string) => console.log(l));
  if (opts.explicitPath) {
    if (!isExecutable(opts.explicitPath)) throw new Error(`TEMPORAL_CLI=${opts.explicitPath} is not an executable file`);
    return opts.explicitPath;
  }
  const onPath = findOnPath("temporal");
  if (onPath) return onPath;
  const cacheDir = opts.cacheDir ?? defaultCliCacheDir();
  const cached = path.join(cacheDir, "temporal");
  if (isExecutable(cached)) return cached;
  const gopathBin = goBinary() ? goPathBin() : undefined;
  if (gopathBin && isExecutable(path.join(gopathBin, "temporal"))) return path.join(gopathBin, "temporal");

  const go = goBinary();
  if (go) {
    log(`temporal CLI not found; building ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION} with Go (first start only, a few minutes)...`);
    fs.mkdirSync(cacheDir, { recursive: true });
    await new Promise<void>((resolve, reject) => {
      const child = spawn(go, ["install", `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`], {
        env: { ...process.env, GOBIN: cacheDir, CGO_ENABLED: "0" },
        stdio: ["ignore", "inherit", "inherit"],
      });
      child.on("error", reject);
      child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`go install exited with ${code}`))));
    });
    if (isExecutable(cached)) return cached;
  }
  throw new Error(
    [
      "The Temporal CLI (`temporal`) is needed to run the embedded Temporal dev server and was not found.",
      "Install it one of these ways, then start again:",
      `  - with Go >= 1.25: go install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`,
      "  - download a release from https://github.com/temporalio/cli/releases and put it on PATH",
      "  - or point TEMPORAL_CLI at the binary, or TEMPORAL_ADDRESS at an existing Temporal cluster",
    ].join("\n"),
  );
}

function goPathBin(): string | undefined {
  const go = goBinary();
  if (!go) return undefined;
  try {
    const gopath = execFileSync(go, ["env", "GOPATH"], { encoding: "utf8" }).trim();
    return gopath ? path.join(gopath.split(path.delimiter)[0] ?? gopath, "bin") : undefined;
  } catch {
    return undefined;
  }
}
