import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // One Temporal dev server, one database and one workflow bundle for the whole run.
    globalSetup: ["tests/setup/global.ts"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 180_000,
    reporters: ["default", "./tests/setup/summary-reporter.ts"],
  },
});
