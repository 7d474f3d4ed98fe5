/**
 * The Ed25519 device identity OpenClaw's gateway asks for in `connect`: the device id is the SHA-256
 * of the raw 32-byte public key (hex), the public key and signature travel base64url, and the
 * signature covers the documented v2 payload
 * `v2|deviceId|clientId|clientMode|role|scopes|signedAtMs|token|nonce` — the nonce being the one the
 * gateway sent in `connect.challenge`, so a captured handshake cannot be replayed.
 *
 * A gateway pairs a device once; a new key every run would ask for approval every run. So without a
 * configured `devicePrivateKeyPem` each agent gets one key, generated on first use and kept in the
 * agent's home (mode 0600).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
export const DEVICE_KEY_FILE = "openclaw-gateway-device-key.pem";

export interface DeviceIdentity {
  deviceId: string;
  /** Raw public key, base64url. */
  publicKey: string;
  privateKey: crypto.KeyObject;
  source: "configured" | "agent_home" | "generated" | "ephemeral";
  /** Where the key lives, when it lives in a file. */
  keyPath: string | null;
}

export class DeviceKeyError extends Error {
  override name = "DeviceKeyError";
}

export function base64Url(buf: Buffer): string {
  return buf.toString("base64").replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64Url(text: string): Buffer {
  return Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64");
}

function rawPublicKey(privateKey: crypto.KeyObject): Buffer {
  const spki = crypto.createPublicKey(privateKey).export({ type: "spki", format: "der" });
  return spki.subarray(ED25519_SPKI_PREFIX.length);
}

export function identityFromPrivateKey(privateKey: crypto.KeyObject, source: DeviceIdentity["source"], keyPath: string | null = null): DeviceIdentity {
  if (privateKey.asymmetricKeyType !== "ed25519") throw new DeviceKeyError("The device key is not an Ed25519 private key");
  const raw = rawPublicKey(privateKey);
  return { deviceId: crypto.createHash("sha256").update(raw).digest("hex"), publicKey: base64Url(raw), privateKey, source, keyPath };
}

export interface DeviceAuthPayloadInput {
  deviceId: string;
  clientId: string;
  clientMode: string;
  role: string;
  scopes: readonly string[];
  signedAtMs: number;
  token: string | null;
  nonce: string;
}

/** The exact string OpenClaw verifies (v2: the nonce-bound form). */
export function buildDeviceAuthPayload(input: DeviceAuthPayloadInput): string {
  return ["v2", input.deviceId, input.clientId, input.clientMode, input.role, input.scopes.join(","), String(input.signedAtMs), input.token ?? "", input.nonce].join("|");
}

export function signDevicePayload(privateKey: crypto.KeyObject, payload: string): string {
  return base64Url(crypto.sign(null, Buffer.from(payload, "utf8"), privateKey));
}

export function generateEphemeralIdentity(): DeviceIdentity {
  return identityFromPrivateKey(crypto.generateKeyPairSync("ed25519").privateKey, "ephemeral");
}

function readKeyFile(keyPath: string): DeviceIdentity {
  const mode = fs.statSync(keyPath).mode & 0o777;
  // A key others can read is a key others can impersonate this agent with: tighten it.
  if (mode & 0o077) fs.chmodSync(keyPath, 0o600);
  try {
    return identityFromPrivateKey(crypto.createPrivateKey(fs.readFileSync(keyPath, "utf8")), "agent_home", keyPath);
  } catch {
    throw new DeviceKeyError(`The OpenClaw device key ${keyPath} is not an Ed25519 private key; delete it to let the adapter generate a new one (the gateway will ask to pair the new device)`);
  }
}

/**
 * The identity for one run: the configured key, else the agent's persisted key (created on first
 * use), else — no agent home to keep it in — a key for this run only.
 */
export function loadDeviceIdentity(configuredPem: string | undefined, agentHome: string | null): DeviceIdentity {
  if (configuredPem) return identityFromPrivateKey(crypto.createPrivateKey(configuredPem), "configured");
  if (!agentHome || !path.isAbsolute(agentHome)) return generateEphemeralIdentity();
  const keyPath = path.join(agentHome, DEVICE_KEY_FILE);
  if (fs.existsSync(keyPath)) return readKeyFile(keyPath);
  fs.mkdirSync(agentHome, { recursive: true, mode: 0o700 });
  const { privateKey } = crypto.generateKeyPairSync("ed25519");
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  try {
    // `wx`: if two runs of the same agent race here, the second keeps the first one's key.
    fs.writeFileSync(keyPath, pem, { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return readKeyFile(keyPath);
    throw err;
  }
  return identityFromPrivateKey(privateKey, "generated", keyPath);
}
