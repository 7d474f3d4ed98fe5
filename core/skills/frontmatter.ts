/**
 * Reads `name` and `description` from a SKILL.md's YAML frontmatter. Skills use a tiny subset of YAML
 * (plain, quoted and folded/literal block scalars), so a small reader avoids a YAML dependency; anything
 * it does not understand is simply not read — the markdown itself is never rejected for its header.
 */

export interface SkillFrontmatter {
  name?: string;
  description?: string;
}

const FENCE = /^---\s*$/;

/** The frontmatter lines, or null when the text does not start with a `---` block. */
function frontmatterLines(markdown: string): string[] | null {
  const lines = markdown.replace(/^\uFEFF/, "").split(/\r?\n/);
  if (!FENCE.test(lines[0] ?? "")) return null;
  const end = lines.findIndex((l, i) => i > 0 && FENCE.test(l));
  return end > 0 ? lines.slice(1, end) : null;
}

export function hasFrontmatter(markdown: string): boolean {
  return frontmatterLines(markdown) !== null;
}

function unquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) {
    try {
      return JSON.parse(v) as string;
    } catch {
      return v.slice(1, -1);
    }
  }
  if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1).replace(/''/g, "'");
  return v;
}

export function parseSkillFrontmatter(markdown: string): SkillFrontmatter {
  const lines = frontmatterLines(markdown);
  if (!lines) return {};
  const out: SkillFrontmatter = {};
  for (let i = 0; i < lines.length; i++) {
    const match = /^(name|description):\s*(.*)$/.exec(lines[i]!);
    if (!match) continue;
    const key = match[1] as keyof SkillFrontmatter;
    const rest = match[2]!.trim();
    if (/^[>|][+-]?$/.test(rest)) {
      // Block scalar: the indented lines that follow. `>` folds them into one line, `|` keeps breaks.
      const block: string[] = [];
      while (i + 1 < lines.length && (/^\s+\S/.test(lines[i + 1]!) || lines[i + 1]!.trim() === "")) block.push(lines[++i]!.trim());
      const text = rest.startsWith(">") ? block.join(" ").replace(/\s+/g, " ") : block.join("\n");
      out[key] = text.trim();
    } else {
      out[key] = unquote(rest);
    }
  }
  return out;
}
