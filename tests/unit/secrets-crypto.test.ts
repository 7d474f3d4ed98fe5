/** The local encrypted provider and the instance master key: round trips, tampering, the key file. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config.js";
import { loadInstanceKeys } from "../../core/instance-keys.js";
import { decryptSecretMaterial, encryptSecretValue, sha256Hex, SecretMaterialError } from "../../core/secrets/local-encrypted.js";

const key = randomBytes(32);

describe("local_encrypted_v1 material", () => {
  it("round-trips any value, with a fresh IV each time and a sha256 of the value", () => {
    for (const value of ["sk-live-1234567890", "ünïcødé ✓ and emoji 🔑", "-----BEGIN KEY-----\nabc\n-----END KEY-----\n"]) {
      const a = encryptSecretValue(key, value);
      const b = encryptSecretValue(key, value);
      expect(a.material.scheme).toBe("local_encrypted_v1");
      expect(Buffer.from(a.material.iv, "base64")).toHaveLength(12);
      expect(Buffer.from(a.material.tag, "base64")).toHaveLength(16);
      expect(a.material.iv).not.toBe(b.material.iv);
      expect(a.material.ciphertext).not.toBe(b.material.ciphertext);
      expect(JSON.stringify(a.material)).not.toContain(value);
      expect(a.valueSha256).toBe(sha256Hex(value));
      expect(decryptSecretMaterial(key, a.material)).toBe(value);
      expect(decryptSecretMaterial(key, JSON.parse(JSON.stringify(b.material)))).toBe(value);
    }
  });

  it("detects a changed ciphertext, tag or IV, and a different master key", () => {
    const { material } = encryptSecretValue(key, "hunter2-hunter2");
    const flip = (b64: string) => {
      const buf = Buffer.from(b64, "base64");
      buf[0] = buf[0]! ^ 0x01;
      return buf.toString("base64");
    };
    expect(() => decryptSecretMaterial(key, { ...material, ciphertext: flip(material.ciphertext) })).toThrow(SecretMaterialError);
    expect(() => decryptSecretMaterial(key, { ...material, tag: flip(material.tag) })).toThrow(SecretMaterialError);
    expect(() => decryptSecretMaterial(key, { ...material, iv: flip(material.iv) })).toThrow(SecretMaterialError);
    expect(() => decryptSecretMaterial(randomBytes(32), material)).toThrow(/another master key/);
  });

  it("refuses material of another scheme or shape", () => {
    const { material } = encryptSecretValue(key, "v");
    expect(() => decryptSecretMaterial(key, { ...material, scheme: "aws_v1" })).toThrow(SecretMaterialError);
    expect(() => decryptSecretMaterial(key, { ...material, iv: "" })).toThrow(SecretMaterialError);
    expect(() => decryptSecretMaterial(key, null)).toThrow(SecretMaterialError);
    expect(() => decryptSecretMaterial(key, "ciphertext")).toThrow(SecretMaterialError);
  });
});

describe("the secrets master key", () => {
  it("is created as a 0600 file on first start and reused afterwards, so stored values stay readable", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "sb-keys-"));
    const config = loadConfig({ SWITCHBOARD_HOME: home });
    expect(fs.existsSync(config.secrets.masterKeyFile)).toBe(false);

    const first = loadInstanceKeys(config);
    expect(first.secretsMasterKey).toHaveLength(32);
    expect(fs.statSync(config.secrets.masterKeyFile).mode & 0o777).toBe(0o600);
    const stored = encryptSecretValue(first.secretsMasterKey, "survives a restart");

    const second = loadInstanceKeys(loadConfig({ SWITCHBOARD_HOME: home }));
    expect(second.secretsMasterKey.equals(first.secretsMasterKey)).toBe(true);
    expect(decryptSecretMaterial(second.secretsMasterKey, stored.material)).toBe("survives a restart");
  });

  it("comes from PAPERCLIP_SECRETS_MASTER_KEY when set (no file is written)", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "sb-keys-"));
    const hex = randomBytes(32).toString("hex");
    const config = loadConfig({ SWITCHBOARD_HOME: home, PAPERCLIP_SECRETS_MASTER_KEY: hex });
    expect(loadInstanceKeys(config).secretsMasterKey.toString("hex")).toBe(hex);
    expect(fs.existsSync(config.secrets.masterKeyFile)).toBe(false);
  });
});
