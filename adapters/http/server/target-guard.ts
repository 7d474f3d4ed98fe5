/**
 * SSRF guard for the `http` adapter: an agent's URL is resolved once, every address is checked, and
 * the request is then pinned to the checked address (no second DNS answer can swap in an internal
 * one). Private, loopback and other special ranges are refused unless the operator lists the exact
 * origin in PAPERCLIP_HTTP_ADAPTER_PRIVATE_ENDPOINT_ALLOWLIST (Paperclip's variable); link-local
 * (cloud metadata at 169.254.169.254, fe80::/10) is refused always.
 */
import { lookup } from "node:dns/promises";
import net from "node:net";

export const PRIVATE_ALLOWLIST_ENV = "PAPERCLIP_HTTP_ADAPTER_PRIVATE_ENDPOINT_ALLOWLIST";

export class TargetBlockedError extends Error {
  override name = "TargetBlockedError";
}

export interface PinnedTarget {
  address: string;
  family: 4 | 6;
}

function blockList(entries: Array<[string, number, "ipv4" | "ipv6"]>): net.BlockList {
  const list = new net.BlockList();
  for (const [prefix, bits, type] of entries) list.addSubnet(prefix, bits, type);
  return list;
}

const ALWAYS_BLOCKED = blockList([
  ["169.254.0.0", 16, "ipv4"],
  ["fe80::", 10, "ipv6"],
  ["0.0.0.0", 8, "ipv4"],
  ["::", 128, "ipv6"],
  ["224.0.0.0", 4, "ipv4"],
  ["240.0.0.0", 4, "ipv4"],
  ["ff00::", 8, "ipv6"],
]);

const PRIVATE = blockList([
  ["10.0.0.0", 8, "ipv4"],
  ["100.64.0.0", 10, "ipv4"],
  ["127.0.0.0", 8, "ipv4"],
  ["172.16.0.0", 12, "ipv4"],
  ["192.0.0.0", 24, "ipv4"],
  ["192.168.0.0", 16, "ipv4"],
  ["198.18.0.0", 15, "ipv4"],
  ["::1", 128, "ipv6"],
  ["fc00::", 7, "ipv6"],
]);

/** `::ffff:10.0.0.1` is 10.0.0.1: check the IPv4 inside a mapped address. */
function normalise(address: string, family: 4 | 6): { address: string; type: "ipv4" | "ipv6" } {
  const mapped = family === 6 ? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address) : null;
  if (mapped?.[1]) return { address: mapped[1], type: "ipv4" };
  return { address, type: family === 4 ? "ipv4" : "ipv6" };
}

export function classifyAddress(address: string, family: 4 | 6): "public" | "private" | "forbidden" {
  const n = normalise(address, family);
  if (ALWAYS_BLOCKED.check(n.address, n.type)) return "forbidden";
  if (PRIVATE.check(n.address, n.type)) return "private";
  return "public";
}

export function privateAllowlist(source: Record<string, string | undefined> = process.env): Set<string> {
  const raw = source[PRIVATE_ALLOWLIST_ENV] ?? "";
  const origins = raw.split(",").map((s) => s.trim()).filter(Boolean);
  const out = new Set<string>();
  for (const origin of origins) {
    try {
      out.add(new URL(origin).origin);
    } catch {
      // An unparsable entry allows nothing.
    }
  }
  return out;
}

/** Resolves the URL's host and returns the one address the request will use, or throws TargetBlockedError. */
export async function resolveTarget(url: URL, allowlist: Set<string>): Promise<PinnedTarget> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const literal = net.isIP(host);
  const addresses = literal
    ? [{ address: host, family: literal as 4 | 6 }]
    : ((await lookup(host, { all: true, verbatim: true })) as Array<{ address: string; family: number }>).map((a) => ({ address: a.address, family: (a.family === 6 ? 6 : 4) as 4 | 6 }));
  if (addresses.length === 0) throw new TargetBlockedError(`${host} does not resolve to any address`);
  const allowed = allowlist.has(url.origin);
  for (const a of addresses) {
    const kind = classifyAddress(a.address, a.family);
    if (kind === "forbidden") throw new TargetBlockedError(`${url.origin} resolves to ${a.address}, a link-local or reserved address that the http adapter never calls`);
    if (kind === "private" && !allowed) {
      throw new TargetBlockedError(`${url.origin} resolves to ${a.address}, a private or loopback address; an operator can allow this exact origin with ${PRIVATE_ALLOWLIST_ENV}`);
    }
  }
  const first = addresses[0];
  if (!first) throw new TargetBlockedError(`${host} does not resolve to any address`);
  return first;
}
