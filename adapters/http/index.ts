/**
 * `http`: the agent is a web endpoint. Each heartbeat is one JSON request; in async mode the endpoint
 * answers 202 and reports back later to a signed callback URL while the run stays durable in Temporal.
 */
import type { BuiltinAdapter, ServerAdapterModule } from "../types.js";
import { schemaConfigValidator } from "../utils/adapter-config.js";
import { httpStoredConfigSchema, requestTimeoutMs } from "./config.js";
import { executeHttp } from "./server/execute.js";
import { testHttpEnvironment } from "./server/test.js";

export const type = "http";
export const label = "HTTP endpoint";

export const agentConfigurationDoc = [
  "# http adapter",
  "Sends each heartbeat to a web endpoint as JSON: {...payloadTemplate, agentId, runId, companyId, context, apiUrl, runToken[, callback]}.",
  "`runToken` is the run's API credential: call the Switchboard/Paperclip API with `Authorization: Bearer <runToken>` and `X-Paperclip-Run-Id: <runId>`.",
  "- url (string, required): http:// or https://. Private and loopback addresses are refused unless the operator lists the exact origin in PAPERCLIP_HTTP_ADAPTER_PRIVATE_ENDPOINT_ALLOWLIST; link-local (cloud metadata) never.",
  "- method (POST|PUT|PATCH, default POST), headers (object of strings), payloadTemplate (object merged into the body)",
  "- timeoutMs (number, default 120000; timeoutSec also accepted): limit of the request itself",
  "- asyncCallback (boolean, default false): the body gets callback {url, expiresAt, timeoutSec}; answer 202 to keep the run running, then POST JSON to callback.url:",
  '    {"type":"log","stream":"stdout"|"stderr","chunk":"text"}  (appended to the run log, any number of times)',
  '    {"type":"result","status":"succeeded"|"failed","summary"?,"errorMessage"?,"errorCode"?,"usage"?:{"inputTokens","outputTokens","cachedInputTokens"},"costUsd"?,"model"?,"provider"?,"sessionParams"?}  (ends the run; later posts get 409)',
  "- callbackTimeoutSec (number, default 3600): the run times out (callback_timeout) when no result arrives in time",
  "A 2xx answer in synchronous mode succeeds the run; a JSON body may report summary, usage, costUsd, model, provider, sessionParams. 401/403 → auth_required, 429 → provider_quota (Retry-After → retryNotBefore), other statuses → http_error.",
].join("\n");

export const httpAdapterModule: ServerAdapterModule = {
  type,
  execute: executeHttp,
  testEnvironment: testHttpEnvironment,
  // Paperclip's http adapter sends no token (#9877); Switchboard sends the run token so a remote agent can use the API.
  supportsLocalAgentJwt: true,
  runtimeToolDelivery: "invocation_context",
  models: [],
  agentConfigurationDoc,
};

export const httpAdapter: BuiltinAdapter = {
  module: httpAdapterModule,
  validateConfig: schemaConfigValidator(httpStoredConfigSchema),
  // The activity covers the request only; the async wait happens in the run workflow, not here.
  maxRunSeconds: (config) => {
    const parsed = httpStoredConfigSchema.safeParse(config ?? {});
    if (!parsed.success) return 60;
    const ms = requestTimeoutMs(parsed.data);
    return ms === 0 ? 24 * 3600 : Math.ceil(ms / 1000) + 10;
  },
  usesRunCallback: true,
};
