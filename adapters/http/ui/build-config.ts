/** ui part of `http`: create-agent form values → adapterConfig. */
import type { AdapterConfigBuilder } from "../../types.js";

function parseHeaders(text: unknown): Record<string, string> | undefined {
  if (typeof text !== "string" || !text.trim()) return undefined;
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0) headers[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return headers;
}

export const buildConfig: AdapterConfigBuilder = (values) => {
  const config: Record<string, unknown> = {};
  if (typeof values.url === "string" && values.url.trim()) config.url = values.url.trim();
  if (typeof values.method === "string" && values.method.trim()) config.method = values.method.trim().toUpperCase();
  const headers = parseHeaders(values.headers);
  if (headers) config.headers = headers;
  if (typeof values.payloadTemplateJson === "string" && values.payloadTemplateJson.trim()) {
    try {
      const parsed: unknown = JSON.parse(values.payloadTemplateJson);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) config.payloadTemplate = parsed;
    } catch {
      // Left out: the form shows the JSON error itself.
    }
  }
  const timeout = Number(values.timeoutMs);
  if (values.timeoutMs !== undefined && values.timeoutMs !== "" && Number.isFinite(timeout)) config.timeoutMs = timeout;
  if (values.asyncCallback === true) config.asyncCallback = true;
  return config;
};
