/**
 * The result of a `testEnvironment`: its checks and the one status they add up to (any error fails,
 * else any warning warns, else it passes). One rule, so every adapter's diagnostics read the same.
 */
import type { AdapterEnvironmentCheck, AdapterEnvironmentTestResult } from "../types.js";

export function environmentStatus(checks: AdapterEnvironmentCheck[]): AdapterEnvironmentTestResult["status"] {
  return checks.some((c) => c.level === "error") ? "fail" : checks.some((c) => c.level === "warn") ? "warn" : "pass";
}

export function environmentResult(adapterType: string, checks: AdapterEnvironmentCheck[]): AdapterEnvironmentTestResult {
  return { adapterType, status: environmentStatus(checks), checks, testedAt: new Date().toISOString() };
}
