/** Company issue prefixes: first three letters of the name, uppercase (`CMP` if none), unique. */
export function deriveIssuePrefixBase(name: string): string {
  const letters = name.toUpperCase().replace(/[^A-Z]/g, "");
  return letters.slice(0, 3) || "CMP";
}

/** Candidates in order: ABC, ABCA, ABCAA, … (Paperclip's collision rule). */
export function* issuePrefixCandidates(name: string, max = 10_000): Generator<string> {
  const base = deriveIssuePrefixBase(name);
  for (let i = 0; i < max; i++) yield base + "A".repeat(i);
}
