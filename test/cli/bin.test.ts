/**
 * A few runs of `be-db` as a real process (`tsx src/cli/index.ts`): what only a process shows, its exit code and
 * what reaches the real stdout and stderr. Everything else runs `be-db` in process (test/support/cli.ts `runCli`);
 * the built bin with its shebang is run from an installed tarball by the consumer test (npm run test:consumer).
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrationsFolder } from "../../src/migrate/index.js";
import { readMigrationFolder } from "../../src/migrate/journal.js";
import { lines, spawnCli } from "../support/cli.js";
import { createTestDatabase, serverOnly, serverUrl, type TestDatabase } from "../support/database.js";

const TAGS = readMigrationFolder(migrationsFolder).map((file) => file.tag);

describe("be-db as a process", () => {
  it.concurrent("exits 0 with the help on stdout, 2 with one line on stderr for a usage error, 3 when unreachable", async () => {
    const [help, usage, unreachable] = await Promise.all([
      spawnCli(["--help"]),
      spawnCli(["status", "--frobnicate"]),
      // sslmode=require: pg-connection-string's multi-line SECURITY WARNING (process.emitWarning) would reach the
      // real stderr; be-db passes the mode as verify-full, so the error stays one line.
      spawnCli(["status"], { DATABASE_URL: "postgres://app:hunter2@127.0.0.1:1/app?sslmode=require" }),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: be-db [options] [command]");
    expect(help.stderr).toBe("");
    expect(usage.code).toBe(2);
    expect(usage.stdout).toBe("");
    expect(usage.stderr).toBe(
      "be-db: unknown option '--frobnicate' (be-db --help lists the commands; be-db <command> --help their options)\n",
    );
    expect(unreachable.code).toBe(3);
    expect(unreachable.stdout).toBe("");
    expect(lines(unreachable.stderr)).toEqual([
      expect.stringMatching(
        /^be-db: Cannot reach postgres:\/\/app@127\.0\.0\.1:1\/app\?sslmode=require: connect ECONNREFUSED/,
      ),
    ]);
    expect(unreachable.stderr).not.toMatch(/WARNING|hunter2/i);
  });
});

describe.runIf(serverUrl)(serverOnly("be-db as a process on a PostgreSQL server"), () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase("cli_bin");
  });
  afterAll(() => t.close());

  it("writes the results of a command that worked to stdout, nothing to stderr, and exits 0", async () => {
    const migrate = await spawnCli(["migrate"], { DATABASE_URL: t.url as string });
    expect(migrate.code).toBe(0);
    expect(migrate.stderr).toBe("");
    expect(lines(migrate.stdout).map((line) => line.split(/\s+/).slice(0, 2))).toEqual([
      ...TAGS.map((tag) => ["applied", tag]),
      expect.anything(),
    ]);
    expect(await t.db.execute(sql`select count(*)::int as n from drizzle.__be_db_migrations`)).toMatchObject({
      rows: [{ n: TAGS.length }],
    });
  });
});
