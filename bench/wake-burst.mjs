// Burst: A agents × W wakeups sent all at once, then every run followed to a terminal state by
// polling the company's run list (one request per poll, so polling does not load the server).
// Prints runs created (coalescing merges some), enqueue time, drain time and run latency p50/p99.
// usage: node bench/wake-burst.mjs BASE_URL [agents=20] [wakesPerAgent=5] [token]
import { client, percentile, setupCompany, TERMINAL, wakeBody } from "./lib.mjs";

const [base = "http://127.0.0.1:3100", nAgents = "20", nWakes = "5", token] = process.argv.slice(2);
const api = client(base, token);
const { company, agents } = await setupCompany(api, "burst", Number(nAgents));
const t0 = performance.now();
const runIds = new Set();
await Promise.all(
  agents.flatMap((a) =>
    Array.from({ length: Number(nWakes) }, async () => {
      const run = await api("POST", `/api/agents/${a.id}/wakeup`, wakeBody);
      if (run?.id) runIds.add(run.id);
    }),
  ),
);
const enqueueMs = performance.now() - t0;
let runs = [];
const deadline = Date.now() + 180_000;
while (Date.now() < deadline) {
  runs = (await api("GET", `/api/companies/${company.id}/heartbeat-runs?limit=1000`)).filter((r) => runIds.has(r.id));
  if (runs.length === runIds.size && runs.every((r) => TERMINAL.has(r.status))) break;
  await new Promise((r) => setTimeout(r, 50));
}
const drainMs = performance.now() - t0;
const done = runs.filter((r) => TERMINAL.has(r.status));
const latencies = done.map((r) => Date.parse(r.finishedAt) - Date.parse(r.createdAt));
console.log(
  JSON.stringify({
    bench: "wake-burst",
    agents: Number(nAgents),
    wakes: Number(nAgents) * Number(nWakes),
    runs: runIds.size,
    unfinished: runIds.size - done.length,
    failed: done.filter((r) => r.status !== "succeeded").length,
    enqueueMs: Math.round(enqueueMs),
    drainMs: Math.round(drainMs),
    runsPerSec: Number((done.length / (drainMs / 1000)).toFixed(1)),
    runP50Ms: percentile(latencies, 0.5),
    runP99Ms: percentile(latencies, 0.99),
  }),
);
