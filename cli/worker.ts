/** `npm run worker`: a worker-only process (scale out, or the crash-recovery tests' victim). */
import { loadConfig } from "../core/config.js";
import { startRuntime } from "./runtime.js";

const config = { ...loadConfig(), role: "worker" as const };
if (!config.databaseUrl || !config.temporal.address) {
  console.error("A worker-only process needs DATABASE_URL and TEMPORAL_ADDRESS");
  process.exit(1);
}
const bundlePath = process.env.SWITCHBOARD_WORKFLOW_BUNDLE;
const runtime = await startRuntime(config, { ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : {}) });
console.log("[switchboard] worker ready");
const stop = () => void runtime.stop().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
