import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";

const src = fileURLToPath(new URL("./src/", import.meta.url));

export default defineConfig({
  resolve: {
    // The recipes and docs snippets import the package by its name, as a host does: here that name is the sources
    // (tsconfig.json `paths` says the same to the type checker).
    alias: [
      { find: /^@be-monorepo\/db$/, replacement: `${src}index.ts` },
      {
        find: /^@be-monorepo\/db\/(schema|migrate|rate-limit|soft-delete|better-auth)$/,
        replacement: `${src}$1/index.ts`,
      },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    // The consumer tests pack and install the package: `npm run test:consumer` (vitest.consumer.config.ts).
    exclude: [...configDefaults.exclude, "test/consumer/**"],
    globalSetup: ["test/global-setup.ts"],
    // In every test file: removes the file's temporary folders when it ends (test/support/temp.ts).
    setupFiles: ["test/setup-file.ts"],
    // Better Auth's adapter test suites log every step; keep the output of passing tests quiet.
    silent: "passed-only",
    // Vitest's default is one worker less than the cores: a single one on a 2-core machine. The test files mostly
    // wait (on PostgreSQL, PgBouncer, child processes), so at least 4 run at once.
    maxWorkers: Math.max(4, availableParallelism() - 1),
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The type tests (`test/**/*.test-d.ts`) are checked once, by `tsc --noEmit` (`npm run typecheck`, part of
    // `npm test`): tsconfig.json includes test/, and a failing expectTypeOf or an unused @ts-expect-error is a tsc
    // error there. Vitest's own typecheck would run tsc a second time and print an "experimental feature" banner.
  },
});
