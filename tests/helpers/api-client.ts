/** A tiny HTTP client for tests: real requests over loopback, no shortcuts into the server. */
export interface HttpResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export const TERMINAL_RUN_STATUSES = ["succeeded", "failed", "cancelled", "timed_out"];

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    /** Sent with every request (e.g. `authorization`, `cookie`, `x-paperclip-run-id`). */
    readonly defaultHeaders: Record<string, string> = {},
  ) {}

  /** The same server, as another caller: `api.as("pcp_…")` sends `Authorization: Bearer pcp_…`. */
  as(token: string, extra: Record<string, string> = {}): ApiClient {
    return new ApiClient(this.baseUrl, { authorization: `Bearer ${token}`, ...extra });
  }

  withHeaders(headers: Record<string, string>): ApiClient {
    return new ApiClient(this.baseUrl, { ...this.defaultHeaders, ...headers });
  }

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    const init: RequestInit = { method, headers: { ...this.defaultHeaders, ...headers } };
    if (body !== undefined) {
      init.body = typeof body === "string" ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)["content-type"] ??= "application/json";
    }
    const res = await fetch(this.baseUrl + path, init);
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* non-JSON body stays text */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get<T = any>(path: string) {
    return this.request<T>("GET", path);
  }

  post<T = any>(path: string, body?: unknown) {
    return this.request<T>("POST", path, body ?? {});
  }

  patch<T = any>(path: string, body?: unknown) {
    return this.request<T>("PATCH", path, body ?? {});
  }

  put<T = any>(path: string, body?: unknown) {
    return this.request<T>("PUT", path, body ?? {});
  }

  delete<T = any>(path: string) {
    return this.request<T>("DELETE", path);
  }

  /** A long-lived agent API key (board call): `api.as(await api.createAgentKey(id))` acts as that agent. */
  async createAgentKey(agentId: string, name = "test") {
    const res = await this.post(`/api/agents/${agentId}/keys`, { name });
    if (res.status !== 201) throw new Error(`create agent key: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.token as string;
  }

  async createCompany(name = `co-${Math.random().toString(36).slice(2, 8)}`) {
    const res = await this.post("/api/companies", { name });
    if (res.status !== 201) throw new Error(`create company: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; issuePrefix: string; name: string };
  }

  async createAgent(companyId: string, body: Record<string, unknown>) {
    const res = await this.post(`/api/companies/${companyId}/agents`, { role: "engineer", adapterType: "process", ...body });
    if (res.status !== 201) throw new Error(`create agent: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; companyId: string; status: string };
  }

  async wake(agentId: string, body: Record<string, unknown> = {}) {
    const res = await this.post(`/api/agents/${agentId}/wakeup`, body);
    if (res.status !== 202) throw new Error(`wakeup: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; status: string; [field: string]: any };
  }

  /** Polls a run until it is terminal (the API is the only window: what a user would see). */
  async waitForRun(runId: string, timeoutMs = 30_000, until: (run: any) => boolean = (r) => TERMINAL_RUN_STATUSES.includes(r.status)) {
    const deadline = Date.now() + timeoutMs;
    let last: any;
    while (Date.now() < deadline) {
      last = (await this.get(`/api/heartbeat-runs/${runId}`)).body;
      if (until(last)) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`run ${runId} did not reach the expected state in ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
  }

  async runLog(runId: string) {
    const res = await this.get(`/api/heartbeat-runs/${runId}/log`);
    return res.body as { runId: string; store: string; logRef: string; content: string; nextOffset: number };
  }
}

/** Concatenated chunks of one stream from an NDJSON run log. */
export function logText(content: string, stream?: "stdout" | "stderr" | "system"): string {
  return content
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { stream: string; chunk: string })
    .filter((l) => !stream || l.stream === stream)
    .map((l) => l.chunk)
    .join("");
}
