import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.ts", "apps/*/src/**/*.test.ts", "test/lint/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/support/build-cli-bundle.ts"],
          testTimeout: 300_000,
          hookTimeout: 120_000,
          // Two files at a time (npm run test:e2e sets the workers): most of an e2e file's time is
          // spent waiting on sandboxes, servers and browsers, and each file has its own homes,
          // ports and databases. CADRE_E2E_WORKERS=1 runs them one by one.
          fileParallelism: true,
        },
      },
    ],
  },
});
