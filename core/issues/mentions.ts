/**
 * Who a comment mentions: structured links `[@Name](agent://<uuid>)` and plain `@Name` (matched
 * case-insensitively against the company's agent names; the longest name wins, so `@Ada Lovelace`
 * finds "Ada Lovelace" even when an "Ada" exists too). Only agents of the company count.
 */
export interface MentionCandidate {
  id: string;
  name: string;
}

const AGENT_LINK = /\[@[^\]]*\]\(agent:\/\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\)/gi;
/** A name ends where a letter, digit, `_` or `-` does not follow. */
const NAME_CONTINUES = /[\p{L}\p{N}_-]/u;
const WORD_BEFORE = /[\p{L}\p{N}_]/u;

export function findMentionedAgentIds(body: string, agents: MentionCandidate[]): string[] {
  const byId = new Map(agents.map((a) => [a.id.toLowerCase(), a.id]));
  const found = new Set<string>();

  for (const match of body.matchAll(AGENT_LINK)) {
    const id = byId.get((match[1] ?? "").toLowerCase());
    if (id) found.add(id);
  }

  // Longest first, so the first name that fits is the longest one.
  const names = agents
    .map((a) => ({ id: a.id, key: a.name.trim().toLowerCase() }))
    .filter((a) => a.key.length > 0)
    .sort((a, b) => b.key.length - a.key.length);
  const lower = body.toLowerCase();
  for (let at = lower.indexOf("@"); at !== -1; at = lower.indexOf("@", at + 1)) {
    // `bob@example.com` is an address, not a mention.
    if (at > 0 && WORD_BEFORE.test(lower[at - 1] ?? "")) continue;
    const rest = lower.slice(at + 1);
    const hit = names.find((n) => rest.startsWith(n.key) && !NAME_CONTINUES.test(rest[n.key.length] ?? ""));
    if (hit) found.add(hit.id);
  }
  return [...found];
}
