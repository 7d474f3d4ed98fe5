// Read-path benchmark: GET /api/agents/me/inbox-lite and GET /api/companies/:id/issues with N issues
// in the company, driven OPEN-LOOP at a fixed rate. Requests leave on a wall-clock schedule whether or
// not earlier ones have answered, and latency is measured from each request's SCHEDULED send time, so
// a server that stalls is charged for the queue it causes (no coordinated omission).
//
// Only Paperclip-compatible calls, so the same script measures Switchboard and Paperclip:
//   POST /api/companies, POST /api/companies/:id/agents, POST /api/agents/:id/pause,
//   POST /api/agents/:id/keys, POST /api/companies/:id/issues (seeding, 8 in flight).
//
// After seeding it waits BENCH_SETTLE_SECONDS (default 70) so Postgres autovacuum can ANALYZE the
// freshly filled table on either server (its naptime is 1 min); without statistics the planner
// picks a plan for an empty table. Phases run lightest first, each after the server is idle again.
//
// usage: node bench/issues-read.mjs BASE_URL [issues=10000] [rate=200] [seconds=20] [boardToken]
// env:   BENCH_COMPANY_ID + BENCH_AGENT_TOKEN reuse an already seeded company (skips seeding);
//        BENCH_ONLY=<text> measures only the endpoints whose name contains it.
import http from "node:http";
import os from "node:os";
import { client, percentile } from "./lib.mjs";

const [base = "http://127.0.0.1:3100", issuesArg = "10000", rateArg = "200", secondsArg = "20", boardToken] = process.argv.slice(2);
const ISSUES = Number(issuesArg);
const RATE = Number(rateArg);
const SECONDS = Number(secondsArg);
const SEED_PARALLELISM = 8;
const WARMUP_SECONDS = 3;
const api = client(base, boardToken);
const url = new URL(base);
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: Infinity });
const SETTLE_SECONDS = Number(process.env.BENCH_SETTLE_SECONDS ?? 70);
const load1 = () => Number(os.loadavg()[0].toFixed(2));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (line) => process.stderr.write(`${line}\n`);

/** One GET; resolves with status, bytes and an error flag once the last byte has arrived. */
function get(path, token) {
  return new Promise((resolve) => {
    const headers = token ? { authorization: `Bearer ${token}` } : {};
    const req = http.request({ host: url.hostname, port: url.port, path, method: "GET", headers, agent: keepAlive, timeout: 10_000 }, (res) => {
      let bytes = 0;
      res.on("data", (c) => (bytes += c.length));
      res.on("end", () => resolve({ status: res.statusCode, bytes }));
      res.on("error", () => resolve({ status: 0, bytes }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve({ status: 0, bytes: 0 }));
    req.end();
  });
}

/** Issue i of the seed: ~1.6 % assigned to the inbox agent in an inbox status, the rest spread out. */
function issueBody(i, me, other) {
  const priority = ["critical", "high", "medium", "low"][i % 4];
  const description = `Seeded issue ${i}. `.repeat(12);
  if (i % 64 === 0) return { title: `Inbox issue ${i}`, description, priority, assigneeAgentId: me, status: ["todo", "in_progress", "blocked"][(i / 64) % 3] };
  if (i % 64 === 1) return { title: `Done issue ${i}`, description, priority, assigneeAgentId: me, status: "done" };
  if (i % 4 === 2) return { title: `Other agent issue ${i}`, description, priority, assigneeAgentId: other, status: ["todo", "in_progress", "blocked", "done"][i % 3] };
  return { title: `Unassigned issue ${i}`, description, priority, status: ["backlog", "todo", "done", "cancelled"][i % 4] };
}

async function seed() {
  const company = await api("POST", "/api/companies", { name: `issues-read-${Date.now()}` });
  const agent = (name) =>
    api("POST", `/api/companies/${company.id}/agents`, { name, role: "engineer", adapterType: "process", adapterConfig: { command: "/bin/true", args: [], cwd: "/tmp" } });
  const me = await agent("inbox-agent");
  const other = await agent("other-agent");
  // Paused agents are never woken: assigning thousands of issues starts no runs on either server.
  for (const a of [me, other]) await api("POST", `/api/agents/${a.id}/pause`, {});
  const key = await api("POST", `/api/agents/${me.id}/keys`, { name: "bench" });
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < ISSUES; i = next++) {
      await api("POST", `/api/companies/${company.id}/issues`, issueBody(i, me.id, other.id));
      if ((i + 1) % 1000 === 0) log(`seeded ${i + 1}/${ISSUES}`);
    }
  };
  await Promise.all(Array.from({ length: SEED_PARALLELISM }, worker));
  const seconds = (performance.now() - t0) / 1000;
  return { companyId: company.id, token: key.token, seedSeconds: Number(seconds.toFixed(1)) };
}

/** Fixed-rate open loop for `seconds`; latency from the scheduled send time. */
async function drive(path, token, rate, seconds) {
  const interval = 1000 / rate;
  const total = Math.round(rate * seconds);
  const start = performance.now() + 20;
  const latencies = [];
  const pending = [];
  let errors = 0;
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(
      get(path, token).then((res) => {
        latencies.push(performance.now() - due);
        if (res.status !== 200) errors++;
      }),
    );
  }
  await Promise.all(pending);
  const round = (v) => Number(v.toFixed(1));
  return {
    sent: total,
    achievedRate: round(total / ((performance.now() - start) / 1000)),
    errors,
    p50Ms: round(percentile(latencies, 0.5)),
    p90Ms: round(percentile(latencies, 0.9)),
    p99Ms: round(percentile(latencies, 0.99)),
    maxMs: round(Math.max(...latencies)),
  };
}

/** Waits until the server answers a health check in under 50 ms again (a phase may leave a queue). */
async function untilIdle() {
  for (let i = 0; i < 120; i++) {
    const t0 = performance.now();
    const res = await get("/api/health");
    if (res.status === 200 && performance.now() - t0 < 50) return;
    await sleep(500);
  }
}

/** What one answer holds: rows and size (a server may ignore `limit`). */
async function probe(path, token) {
  const res = await fetch(base + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${path} -> ${res.status} ${text.slice(0, 200)}`);
  const body = JSON.parse(text);
  const rows = Array.isArray(body) ? body.length : Array.isArray(body.items) ? body.items.length : -1;
  return { rows, kbPerResponse: Math.round(Buffer.byteLength(text) / 1024) };
}

const reuse = Boolean(process.env.BENCH_COMPANY_ID);
const seeded = reuse ? { companyId: process.env.BENCH_COMPANY_ID, token: process.env.BENCH_AGENT_TOKEN, seedSeconds: null } : await seed();
log(`company ${seeded.companyId} agent token ${seeded.token} (seeded in ${seeded.seedSeconds} s)`);
if (!reuse && SETTLE_SECONDS > 0) {
  log(`waiting ${SETTLE_SECONDS} s for autovacuum to analyze the new rows`);
  await sleep(SETTLE_SECONDS * 1000);
}
const endpoints = [
  { endpoint: "GET /api/agents/me/inbox-lite", path: "/api/agents/me/inbox-lite", token: seeded.token },
  { endpoint: "GET /api/companies/:id/issues?limit=50", path: `/api/companies/${seeded.companyId}/issues?limit=50`, token: boardToken },
  { endpoint: "GET /api/companies/:id/issues", path: `/api/companies/${seeded.companyId}/issues`, token: boardToken },
].filter((e) => !process.env.BENCH_ONLY || e.endpoint.includes(process.env.BENCH_ONLY));
for (const e of endpoints) {
  await untilIdle();
  const shape = await probe(e.path, e.token);
  await drive(e.path, e.token, RATE, WARMUP_SECONDS);
  const loadBefore = load1();
  const result = await drive(e.path, e.token, RATE, SECONDS);
  console.log(JSON.stringify({ bench: "issues-read", endpoint: e.endpoint, issues: ISSUES, ...shape, rate: RATE, seconds: SECONDS, ...result, load1Before: loadBefore, load1After: load1(), seedSeconds: seeded.seedSeconds }));
}
keepAlive.destroy();
