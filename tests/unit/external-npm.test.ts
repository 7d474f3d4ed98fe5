/** What the npm install path accepts: registry names only, never a flag, URL, path or git spec. */
import { describe, expect, it } from "vitest";
import { assertInstallableSpec, isValidNpmPackageName, isValidNpmVersion, lastStderrLine, splitPackageSpec } from "../../adapters/external/npm-installer.js";

describe("npm specs", () => {
  it("accepts registry names and refuses everything else", () => {
    for (const ok of ["my-paperclip-adapter", "@paperclipai/hermes-paperclip-adapter", "a", "a.b_c~d", "@s/x"]) expect(isValidNpmPackageName(ok), ok).toBe(true);
    for (const bad of ["", "Upper", "has space", "-flag", "--registry=http://evil", "../etc/passwd", "/abs/path", "git+https://x/y.git", "file:../x", "http://x", "@scope", "@/x", "a".repeat(215), "fuzz packageName", "node_modules", "x\u0000y", "émoji"]) {
      expect(isValidNpmPackageName(bad), bad).toBe(false);
    }
  });

  it("splits a version suffix like Paperclip and validates it", () => {
    expect(splitPackageSpec("@scope/pkg@1.2.3")).toEqual({ name: "@scope/pkg", version: "1.2.3" });
    expect(splitPackageSpec("pkg@latest")).toEqual({ name: "pkg", version: "latest" });
    expect(splitPackageSpec("@scope/pkg")).toEqual({ name: "@scope/pkg", version: undefined });
    expect(splitPackageSpec("pkg@1.0.0", "2.0.0")).toEqual({ name: "pkg", version: "2.0.0" });
    for (const ok of ["1.2.3", "^1.2.0", ">=1 <2", "latest", "1.0.0-beta.1"]) expect(isValidNpmVersion(ok), ok).toBe(true);
    for (const bad of ["", "-1", "1.0; rm -rf /", "$(x)", "a".repeat(65), " 1.0"]) expect(isValidNpmVersion(bad), bad).toBe(false);
    expect(() => assertInstallableSpec("ok-name", "1.0.0")).not.toThrow();
    expect(() => assertInstallableSpec("Bad Name", undefined)).toThrow(/not a valid npm package name/);
    expect(() => assertInstallableSpec("ok", "`x`")).toThrow(/not a valid npm version/);
  });

  it("reports npm's last error line, not its warnings or log-file boilerplate", () => {
    const stderr = [
      'npm warn Unknown user config "nodedir".',
      "npm error code E404",
      "npm error 404 Not Found - GET https://registry.npmjs.org/nope - Not found",
      "npm error A complete log of this run can be found in: /root/.npm/_logs/x.log",
      "npm warn something late",
    ].join("\n");
    expect(lastStderrLine(stderr)).toBe("npm error 404 Not Found - GET https://registry.npmjs.org/nope - Not found");
    expect(lastStderrLine("")).toBe("no output");
  });
});
