// Shared helpers for the wakeup benchmarks. Dependency-free: they speak the Paperclip-style REST API,
// so the same script measures Switchboard and a Paperclip server on the same machine.
export const TERMINAL = new Set(["succeeded", "failed", "cancelled", "timed_out"]);

export function client(base, token) {
  const headers = { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) };
  return async (method, path, body) => {
    const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : null;
  };
}

export const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
};

export async function setupCompany(api, name, agents, command = "/bin/echo") {
  const company = await api("POST", "/api/companies", { name: `${name}-${Date.now()}` });
  const created = [];
  for (let i = 0; i < agents; i++) {
    created.push(
      await api("POST", `/api/companies/${company.id}/agents`, {
        name: `${name}-${i}`,
        role: "engineer",
        adapterType: "process",
        adapterConfig: { command, args: ["hello"], cwd: "/tmp" },
      }),
    );
  }
  return { company, agents: created };
}

export const wakeBody = { source: "on_demand", triggerDetail: "manual", forceFreshSession: false };
