/** ui part of `http`: create-agent form values → adapterConfig. */
import type { AdapterConfigBuilder } from "../../types.js";
import { parseHeaderLines, parseNumberField } from "../../utils/form-fields.js";

export const buildConfig: AdapterConfigBuilder = (values) => {
  const config: Record<string, unknown> = {};
  if (typeof values.url === "string" && values.url.trim()) config.url = values.url.trim();
  if (typeof values.method === "string" && values.method.trim()) config.method = values.method.trim().toUpperCase();
  const headers = parseHeaderLines(values.headers);
  if (headers) config.headers = headers;
  if (typeof values.payloadTemplateJson === "string" && values.payloadTemplateJson.trim()) {
    try {
      const parsed: unknown = JSON.parse(values.payloadTemplateJson);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) config.payloadTemplate = parsed;
    } catch {
      // Left out: the form shows the JSON error itself.
    }
  }
  const timeout = parseNumberField(values.timeoutMs);
  if (timeout !== undefined) config.timeoutMs = timeout;
  if (values.asyncCallback === true) config.asyncCallback = true;
  return config;
};
