/** Entry and UI-parser resolution of adapter packages, as Paperclip's plugin loader does it (no code runs). */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AdapterPackageError } from "../../adapters/external/errors.js";
import { entryRelativePath, readPackageInfo, readUiParserSource } from "../../adapters/external/package-info.js";

const dirs: string[] = [];
function pkg(manifest: Record<string, unknown> | null, files: Record<string, string> = {}): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "sb-pkg-")));
  dirs.push(dir);
  if (manifest) fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(manifest));
  for (const [name, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), body);
  }
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof AdapterPackageError ? `${err.status} ${err.code}` : String(err);
  }
  return "no error";
};

describe("entry point", () => {
  it("follows exports['.'] (string, import, default), then main, then index.js", () => {
    expect(entryRelativePath({ exports: { ".": "./dist/index.js" } })).toBe("./dist/index.js");
    expect(entryRelativePath({ exports: "./dist/main.js" })).toBe("./dist/main.js");
    expect(entryRelativePath({ exports: { ".": { types: "./d.ts", import: "./esm.js", require: "./cjs.cjs" } } })).toBe("./esm.js");
    expect(entryRelativePath({ exports: { ".": { default: "./default.js" } } })).toBe("./default.js");
    expect(entryRelativePath({ exports: { ".": { import: { types: "./x.d.ts", default: "./nested.js" } } } })).toBe("./nested.js");
    expect(entryRelativePath({ main: "lib/main.js" })).toBe("lib/main.js");
    expect(entryRelativePath({})).toBe("index.js");
  });

  it("refuses a directory without package.json, a broken manifest and a missing entry", () => {
    expect(codeOf(() => readPackageInfo(pkg(null), "x", { strictUiParser: true }))).toBe("422 adapter_package_json_missing");
    const broken = pkg(null, { "package.json": "{nope" });
    expect(codeOf(() => readPackageInfo(broken, "x", { strictUiParser: true }))).toBe("422 adapter_package_json_invalid");
    expect(codeOf(() => readPackageInfo(pkg({ name: "p", main: "gone.js" }), "x", { strictUiParser: true }))).toBe("422 adapter_entry_missing");
    expect(codeOf(() => readPackageInfo("/definitely/not/here", "x", { strictUiParser: true }))).toBe("422 adapter_path_not_found");
  });
});

describe("UI parser", () => {
  it("reads a 1.x parser declared as a string or {import|default}", () => {
    const a = pkg({ name: "a", paperclip: { adapterUiParser: "1.0.0" }, exports: { ".": "./index.js", "./ui-parser": "./ui.cjs" } }, { "index.js": "", "ui.cjs": "module.exports = {};" });
    const info = readPackageInfo(a, "a", { strictUiParser: true });
    expect(info).toMatchObject({ packageName: "a", uiParserContract: "1.0.0", uiParserPath: path.join(a, "ui.cjs") });
    expect(readUiParserSource(info)).toBe("module.exports = {};");

    const b = pkg({ name: "b", exports: { ".": "./index.js", "./ui-parser": { default: "./ui.cjs" } } }, { "index.js": "", "ui.cjs": "exports.x = 1;" });
    // No contract field: still loaded (Paperclip logs it and goes on).
    expect(readPackageInfo(b, "b", { strictUiParser: true }).uiParserPath).toBe(path.join(b, "ui.cjs"));
    const none = pkg({ name: "c" }, { "index.js": "" });
    expect(readUiParserSource(readPackageInfo(none, "c", { strictUiParser: true }))).toBeNull();
  });

  it("refuses another contract major at install and hides it at serve time", () => {
    const v2 = pkg({ name: "v2", paperclip: { adapterUiParser: "2.0.0" }, exports: { ".": "./index.js", "./ui-parser": "./ui.js" } }, { "index.js": "", "ui.js": "" });
    expect(codeOf(() => readPackageInfo(v2, "v2", { strictUiParser: true }))).toBe("422 adapter_ui_parser_unsupported");
    expect(readPackageInfo(v2, "v2", { strictUiParser: false }).uiParserPath).toBeNull();
  });

  it("never serves a file outside the package, by .. or by symlink", () => {
    const outside = pkg(null, { "secret.txt": "server secret" });
    const dotdot = pkg({ name: "d", exports: { ".": "./index.js", "./ui-parser": `../${path.basename(outside)}/secret.txt` } }, { "index.js": "" });
    expect(codeOf(() => readPackageInfo(dotdot, "d", { strictUiParser: true }))).toBe("422 adapter_ui_parser_outside_package");
    expect(readPackageInfo(dotdot, "d", { strictUiParser: false }).uiParserPath).toBeNull();

    const linked = pkg({ name: "l", exports: { ".": "./index.js", "./ui-parser": "./ui.cjs" } }, { "index.js": "" });
    fs.symlinkSync(path.join(outside, "secret.txt"), path.join(linked, "ui.cjs"));
    expect(codeOf(() => readPackageInfo(linked, "l", { strictUiParser: true }))).toBe("422 adapter_ui_parser_outside_package");
  });
});
