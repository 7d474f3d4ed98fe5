/**
 * Skills are read by agents as the truth about the API: every `METHOD /api/...` a skill names must be
 * a route the server registered (read from Fastify's router, not from the OpenAPI document).
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registeredApiRoutes } from "../helpers/fuzz-routes.js";
import { startTestRuntime, type TestRuntime } from "../helpers/harness.js";
import { extractRoutes, routeShape, skillFiles, SKILLS_DIR, type SkillRoute } from "../helpers/skill-routes.js";

let t: TestRuntime;
let registered: Set<string>;

beforeAll(async () => {
  t = await startTestRuntime({ role: "api" });
  registered = new Set(registeredApiRoutes(t.runtime.app!).map((r) => routeShape(r.method, r.url)));
});
afterAll(async () => {
  await t?.stop();
});

const routesOf = (file: string): SkillRoute[] => extractRoutes(fs.readFileSync(file, "utf8"), path.relative(SKILLS_DIR, file));

describe("skill files", () => {
  it("are the four skills, each with a name and a description", () => {
    const files = skillFiles().map((f) => path.relative(SKILLS_DIR, f));
    expect(files).toEqual(expect.arrayContaining(["switchboard/SKILL.md", "create-agent/SKILL.md", "create-plugin/SKILL.md", "para-memory/SKILL.md"]));
    for (const file of skillFiles()) {
      const text = fs.readFileSync(file, "utf8");
      expect(text, file).toMatch(/^---\nname: [a-z-]+\ndescription: /);
    }
  });

  it("name the heartbeat protocol's routes (the extraction sees them)", () => {
    const shapes = routesOf(path.join(SKILLS_DIR, "switchboard/SKILL.md")).map((r) => routeShape(r.method, r.path));
    for (const expected of [
      "GET /api/agents/me",
      "GET /api/agents/me/inbox-lite",
      "POST /api/issues/{}/checkout",
      "GET /api/issues/{}/heartbeat-context",
      "GET /api/issues/{}/comments",
      "POST /api/issues/{}/comments",
      "POST /api/companies/{}/issues",
      "PATCH /api/issues/{}",
    ]) {
      expect(shapes).toContain(expected);
    }
  });
});

describe("every METHOD /api/... a skill names", () => {
  for (const file of skillFiles()) {
    it(`exists: ${path.relative(SKILLS_DIR, file)}`, () => {
      const routes = routesOf(file);
      const missing = routes.filter((r) => !registered.has(routeShape(r.method, r.path))).map((r) => `${r.file}:${r.line} ${r.method} ${r.path}`);
      expect(missing).toEqual([]);
    });
  }

  it("the check can fail: a route that does not exist is reported", () => {
    const [fake] = extractRoutes("POST /api/issues/{issueId}/teleport\n", "inline");
    expect(registered.has(routeShape(fake!.method, fake!.path))).toBe(false);
    // and a real one with differently named parameters matches
    const [real] = extractRoutes("GET /api/issues/{issueId}/comments/{commentId}?x=1", "inline");
    expect(registered.has(routeShape(real!.method, real!.path))).toBe(true);
  });
});
