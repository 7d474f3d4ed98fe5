/**
 * `http` testEnvironment: the URL parses, its host passes the SSRF guard, and a HEAD probe (3 s)
 * reaches it. Codes follow Paperclip's (`http_url_*`, `http_endpoint_probe_*`) plus the guard's.
 */
import type { AdapterEnvironmentCheck, AdapterEnvironmentTestContext, AdapterEnvironmentTestResult } from "../../types.js";
import { configIssuesText } from "../../utils/cli-run.js";
import { environmentResult } from "../../utils/environment-result.js";
import { httpConfigSchema } from "../config.js";
import { sendJson } from "./request.js";
import { TargetBlockedError, privateAllowlist, resolveTarget } from "./target-guard.js";

const PROBE_TIMEOUT_MS = 3000;

export async function testHttpEnvironment(ctx: AdapterEnvironmentTestContext): Promise<AdapterEnvironmentTestResult> {
  const checks: AdapterEnvironmentCheck[] = [];
  const raw = (ctx.config ?? {}) as Record<string, unknown>;
  if (typeof raw.url !== "string" || !raw.url.trim()) {
    checks.push({ code: "http_url_missing", level: "error", message: "adapterConfig.url is required", hint: "Set url to the endpoint that receives each heartbeat" });
    return environmentResult(ctx.adapterType, checks);
  }
  let url: URL;
  try {
    url = new URL(raw.url.trim());
  } catch {
    checks.push({ code: "http_url_invalid", level: "error", message: `"${raw.url}" is not a URL` });
    return environmentResult(ctx.adapterType, checks);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    checks.push({ code: "http_url_protocol_invalid", level: "error", message: `Only http:// and https:// are supported, not ${url.protocol}` });
    return environmentResult(ctx.adapterType, checks);
  }
  checks.push({ code: "http_url_valid", level: "info", message: `Endpoint ${url.origin}${url.pathname}` });
  const parsed = httpConfigSchema.safeParse(raw);
  if (!parsed.success) {
    checks.push({ code: "http_config_invalid", level: "error", message: configIssuesText(parsed.error) });
    return environmentResult(ctx.adapterType, checks);
  }
  checks.push({ code: "http_method_configured", level: "info", message: `Requests use ${parsed.data.method}${parsed.data.asyncCallback ? " with an async callback" : ""}` });
  let target;
  try {
    target = await resolveTarget(url, privateAllowlist());
  } catch (err) {
    const blocked = err instanceof TargetBlockedError;
    checks.push({ code: blocked ? "http_target_blocked" : "http_url_unresolvable", level: "error", message: err instanceof Error ? err.message : String(err) });
    return environmentResult(ctx.adapterType, checks);
  }
  try {
    const answer = await sendJson({ url, method: "HEAD", headers: parsed.data.headers, target, timeoutMs: PROBE_TIMEOUT_MS });
    const ok = (answer.status >= 200 && answer.status < 300) || answer.status === 405 || answer.status === 501;
    checks.push(
      ok
        ? { code: "http_endpoint_probe_ok", level: "info", message: `HEAD answered ${answer.status}` }
        : { code: "http_endpoint_probe_unexpected_status", level: "warn", message: `HEAD answered ${answer.status}`, hint: "Check the URL and the headers (authentication)" },
    );
  } catch (err) {
    checks.push({ code: "http_endpoint_probe_failed", level: "warn", message: `HEAD probe failed: ${err instanceof Error ? err.message : String(err)}`, hint: "Is the endpoint running and reachable from this server?" });
  }
  return environmentResult(ctx.adapterType, checks);
}
