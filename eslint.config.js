// Lint rules that protect the engine. The workflow rules are the important ones: workflow code is
// replayed, so it may not touch Node built-ins, I/O or real timers, and may import only types from
// the rest of the project (DESIGN.md: "workflows/ imports nothing but types").
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { builtinModules } from "node:module";

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ["node_modules/**", "web/dist/**", "tests/histories/**", "**/*.js", "**/*.mjs", "**/*.cjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
  {
    files: ["workflows/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: nodeBuiltins.map((name) => ({ name, message: "Workflow code is replayed: no Node built-ins (use activities for I/O)." })),
          patterns: [
            { group: ["../*", "!../workflows/*"], allowTypeImports: true, message: "Workflows import only types from the rest of the project." },
            { group: ["@temporalio/client", "@temporalio/worker", "@temporalio/activity"], message: "Only @temporalio/workflow (and common) belong in workflow code." },
          ],
        },
      ],
      "no-restricted-globals": [
        "error",
        { name: "setTimeout", message: "Use sleep()/condition() from @temporalio/workflow: real timers are not replayable." },
        { name: "setInterval", message: "Use a loop with sleep() in workflow code." },
        { name: "process", message: "No process access in workflow code." },
        { name: "fetch", message: "No network I/O in workflow code: use an activity." },
      ],
    },
  },
);
