/**
 * Reads the API routes the skills name (`GET /api/agents/me`, `POST /api/issues/{issueId}/checkout`,
 * ...) so tests can hold the skill text against the server (every route exists) and against the
 * scripted agent that follows it (it calls only those routes, in the skill's order).
 */
import fs from "node:fs";
import path from "node:path";

export const SKILLS_DIR = path.resolve("skills");

export interface SkillRoute {
  method: string;
  /** As written in the skill, query string removed: `/api/issues/{issueId}/comments`. */
  path: string;
  file: string;
  line: number;
}

const ROUTE = /\b(GET|POST|PUT|PATCH|DELETE) (\/api\/[^\s`'"|)<>,;]+)/g;

/** Every `SKILL.md` (and any other Markdown) under skills/, sorted. */
export function skillFiles(dir = SKILLS_DIR): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...skillFiles(full));
    else if (entry.name.endsWith(".md")) out.push(full);
  }
  return out.sort();
}

/** The routes a Markdown text names, in the order it names them (repeats kept). */
export function extractRoutes(markdown: string, file = ""): SkillRoute[] {
  const out: SkillRoute[] = [];
  markdown.split("\n").forEach((text, i) => {
    for (const m of text.matchAll(ROUTE)) {
      // A sentence may end right after a route: its full stop or colon is not part of the path.
      const cleaned = m[2]!.split("?")[0]!.replace(/[.:]+$/, "");
      out.push({ method: m[1]!, path: cleaned, file, line: i + 1 });
    }
  });
  return out;
}

/**
 * One shape for a route however its parameters are named: `/api/issues/{issueId}` and Fastify's
 * `/api/issues/:id` both become `/api/issues/{}`; a suffix after a parameter (`{type}.txt`) is kept.
 */
export function routeShape(method: string, routePath: string): string {
  const shaped = routePath
    .split("?")[0]!
    .replace(/\{[^}]+\}/g, "{}")
    .replace(/:[A-Za-z0-9_]+/g, "{}");
  return `${method.toUpperCase()} ${shaped}`;
}
