import { defineConfig } from "vitest/config";

// The consumer tests (test/consumer): build, pack and install the package into throw-away host projects.
// Slow (about a minute) and outside the unit run, so they have their own config: `npm run test:consumer`.
export default defineConfig({
  test: {
    include: ["test/consumer/**/*.test.ts"],
    globalSetup: ["test/global-setup-consumer.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
