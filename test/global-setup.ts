import type { TestProject } from "vitest/node";
import { findPgBouncer, pgBouncerMissing } from "./support/pgbouncer.js";

/**
 * Picks the PostgreSQL the whole run uses and tells every test file through `inject("databaseUrl")`:
 * 1. `DATABASE_URL` when set (CI always sets it);
 * 2. else a throw-away container from `@testcontainers/postgresql` when a Docker engine answers;
 * 3. else nothing: each test file then runs on its own embedded PGlite.
 */
export default async function setup(project: TestProject) {
  let stop: (() => Promise<unknown>) | undefined;
  let url = process.env.DATABASE_URL;
  let label = `PostgreSQL server at DATABASE_URL (${url?.replace(/\/\/[^@]*@/, "//")})`;
  if (!url) {
    try {
      const { PostgreSqlContainer } = await import("@testcontainers/postgresql");
      const container = await new PostgreSqlContainer("postgres:15-alpine").start();
      url = container.getConnectionUri();
      stop = () => container.stop();
      label = "PostgreSQL 15 in a testcontainers container";
    } catch {
      label = "embedded PGlite (no DATABASE_URL and no Docker engine), a fresh one per test file";
    }
  }
  console.log(`[@be-monorepo/db tests] database: ${label}`);
  // Printed here because the config's `silent: "passed-only"` hides what test files log (serverOnly's warnings).
  if (!url) {
    console.log(
      "[@be-monorepo/db tests] tests that need a PostgreSQL server are skipped; their titles say so; set DATABASE_URL to run them",
    );
  }
  // With a server but no pgbouncer binary, test/drivers/pgbouncer.test.ts does not run: say so here, for the same reason.
  if (url && !findPgBouncer()) {
    console.log(`[@be-monorepo/db tests] tests through PgBouncer: ${pgBouncerMissing}`);
  }
  project.provide("databaseUrl", url ?? "");
  return async () => {
    await stop?.();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}
