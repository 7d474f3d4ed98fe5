/**
 * The `local_encrypted` provider: AES-256-GCM under the instance's 32-byte master key, a fresh random
 * 12-byte IV per value, stored as `{scheme:"local_encrypted_v1", iv, tag, ciphertext}` (base64) —
 * Paperclip's material format, so a Paperclip database plus its master key stays readable. The GCM tag
 * makes any change to the stored material (or a different master key) a decryption error, never a
 * silently wrong value. The database alone cannot recover a value: the key never goes into it.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

export const LOCAL_ENCRYPTED_PROVIDER = "local_encrypted";
export const LOCAL_ENCRYPTED_SCHEME = "local_encrypted_v1";

const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface LocalEncryptedMaterial {
  scheme: typeof LOCAL_ENCRYPTED_SCHEME;
  iv: string;
  tag: string;
  ciphertext: string;
}

/** Material that cannot be decrypted: tampered, truncated, another scheme, or another master key. */
export class SecretMaterialError extends Error {
  override name = "SecretMaterialError";
}

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

function assertMasterKey(masterKey: Buffer): void {
  if (masterKey.length !== 32) throw new SecretMaterialError("the secrets master key must be 32 bytes");
}

export function encryptSecretValue(masterKey: Buffer, value: string): { material: LocalEncryptedMaterial; valueSha256: string } {
  assertMasterKey(masterKey);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", masterKey, iv);
  const ciphertext = Buffer.concat([cipher.update(value, "utf8"), cipher.final()]);
  return {
    material: {
      scheme: LOCAL_ENCRYPTED_SCHEME,
      iv: iv.toString("base64"),
      tag: cipher.getAuthTag().toString("base64"),
      ciphertext: ciphertext.toString("base64"),
    },
    valueSha256: sha256Hex(value),
  };
}

function isMaterial(value: unknown): value is LocalEncryptedMaterial {
  const m = value as Partial<LocalEncryptedMaterial> | null;
  return (
    !!m &&
    typeof m === "object" &&
    m.scheme === LOCAL_ENCRYPTED_SCHEME &&
    typeof m.iv === "string" &&
    typeof m.tag === "string" &&
    typeof m.ciphertext === "string"
  );
}

export function decryptSecretMaterial(masterKey: Buffer, material: unknown): string {
  assertMasterKey(masterKey);
  if (!isMaterial(material)) throw new SecretMaterialError(`stored material is not ${LOCAL_ENCRYPTED_SCHEME}`);
  const iv = Buffer.from(material.iv, "base64");
  const tag = Buffer.from(material.tag, "base64");
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretMaterialError("stored material has a malformed IV or tag");
  try {
    const decipher = createDecipheriv("aes-256-gcm", masterKey, iv, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(material.ciphertext, "base64")), decipher.final()]).toString("utf8");
  } catch {
    // Node says "Unsupported state or unable to authenticate data": the material or the key changed.
    throw new SecretMaterialError("stored material failed authentication (tampered, or encrypted under another master key)");
  }
}
