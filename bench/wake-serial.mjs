// Idle-system latency: one `process` agent (/bin/echo), N wakeups one after another, each followed
// to a terminal run. Prints p50 / p90 / min of wakeup-request → run terminal, in ms.
// usage: node bench/wake-serial.mjs BASE_URL [n=20] [token]
import { client, percentile, setupCompany, TERMINAL, wakeBody } from "./lib.mjs";

const [base = "http://127.0.0.1:3100", n = "20", token] = process.argv.slice(2);
const api = client(base, token);
const { agents } = await setupCompany(api, "serial", 1);
const agent = agents[0];
const samples = [];
for (let i = 0; i < Number(n); i++) {
  const t0 = performance.now();
  const run = await api("POST", `/api/agents/${agent.id}/wakeup`, wakeBody);
  for (;;) {
    const current = await api("GET", `/api/heartbeat-runs/${run.id}`);
    if (TERMINAL.has(current.status)) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  samples.push(performance.now() - t0);
}
console.log(JSON.stringify({ bench: "wake-serial", n: Number(n), p50Ms: Math.round(percentile(samples, 0.5)), p90Ms: Math.round(percentile(samples, 0.9)), minMs: Math.round(Math.min(...samples)) }));
