import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The consumer tests pack and install the package: `npm run test:consumer` (vitest.consumer.config.ts).
    exclude: [...configDefaults.exclude, "test/consumer/**"],
    globalSetup: ["test/global-setup.ts"],
    // Better Auth's adapter test suites log every step; keep the output of passing tests quiet.
    silent: "passed-only",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
  },
});
