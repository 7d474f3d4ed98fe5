import { describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config.js";
import { parseMasterKey } from "../../core/instance-keys.js";
import { redactDetails } from "../../core/activity-log.js";
import { assertCompanyAccess } from "../../core/auth/authz.js";
import type { BoardActor } from "../../core/auth/actor.js";

describe("deployment mode", () => {
  it("local_trusted refuses to listen beyond loopback; authenticated may", () => {
    expect(() => loadConfig({ HOST: "0.0.0.0" })).toThrow(/loopback only/);
    expect(loadConfig({ HOST: "0.0.0.0", PAPERCLIP_DEPLOYMENT_MODE: "authenticated" }).auth.deploymentMode).toBe("authenticated");
    expect(loadConfig({ HOST: "127.0.0.1" }).auth.deploymentMode).toBe("local_trusted");
  });
});

describe("secrets master key formats", () => {
  it("accepts 64 hex chars, base64 of 32 bytes, or 32 characters; nothing else", () => {
    expect(parseMasterKey("ab".repeat(32))).toHaveLength(32);
    expect(parseMasterKey(Buffer.alloc(32, 7).toString("base64"))).toHaveLength(32);
    expect(parseMasterKey("x".repeat(32))).toHaveLength(32);
    expect(() => parseMasterKey("too short")).toThrow(/32 bytes/);
  });
});

describe("activity details", () => {
  it("redacts secret-looking keys at any depth, keeps ids", () => {
    const out = redactDetails({ apiKey: "k", nested: { password: "p", secretId: "id-1" }, list: [{ token: "t" }] });
    expect(out).toEqual({ apiKey: "***REDACTED***", nested: { password: "***REDACTED***", secretId: "id-1" }, list: [{ token: "***REDACTED***" }] });
  });
});

describe("company access by role", () => {
  const board = (role: BoardActor["memberships"][number]["role"]): BoardActor => ({ type: "board", userId: "u", memberships: [{ companyId: "c1", role }], isInstanceAdmin: false, source: "session" });
  it("viewer reads; operator writes; owner/admin manage; strangers get 404", () => {
    expect(() => assertCompanyAccess(board("viewer"), "c1", "read")).not.toThrow();
    expect(() => assertCompanyAccess(board("viewer"), "c1", "write")).toThrow("Viewer access is read-only");
    expect(() => assertCompanyAccess(board("operator"), "c1", "write")).not.toThrow();
    expect(() => assertCompanyAccess(board("operator"), "c1", "manage")).toThrow(/Owner or admin/);
    expect(() => assertCompanyAccess(board("admin"), "c1", "manage")).not.toThrow();
    expect(() => assertCompanyAccess(board("owner"), "c2", "read")).toThrow("Company not found");
    // Instance admins get no blanket access to companies they do not belong to.
    expect(() => assertCompanyAccess({ ...board("owner"), memberships: [], isInstanceAdmin: true }, "c1", "read")).toThrow("Company not found");
  });
});
