import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrationsFolder } from "../../src/migrate/index.js";
import { rowsOf } from "../../src/shared/rows.js";
import { lines, runCli } from "../support/cli.js";
import { createTestDatabase, serverOnly, serverUrl, type TestDatabase } from "../support/database.js";

const TAGS = (
  JSON.parse(readFileSync(join(migrationsFolder, "meta", "_journal.json"), "utf8")) as { entries: { tag: string }[] }
).entries.map((entry) => entry.tag);

describe("be-db --pg-schema: a schema name PostgreSQL would not keep is a usage error", () => {
  it("exits 2 with one line naming --pg-schema, before connecting", async () => {
    // Nothing listens on port 1: exit 2 rather than 3 proves the name was checked first.
    const url = "postgres://app@127.0.0.1:1/app";
    for (const command of ["migrate", "status", "check"]) {
      for (const [name, message] of [
        ["", '--pg-schema must be a PostgreSQL identifier: not empty, without NUL or lone surrogates (got "")'],
        [
          "s".repeat(64),
          `--pg-schema must be at most 63 bytes in UTF-8 (64): PostgreSQL would truncate it (got "${"s".repeat(64)}")`,
        ],
        [
          "pg_auth",
          '--pg-schema names a system schema: PostgreSQL reserves "pg_" names and information_schema (got "pg_auth")',
        ],
      ] as const) {
        const run = await runCli([command, "--database-url", url, "--pg-schema", name]);
        expect(run.code).toBe(2);
        expect(run.stdout).toBe("");
        expect(run.stderr).toBe(`be-db: ${message}\n`);
      }
    }
  });

  it("lists --pg-schema in each command's help, with its default", async () => {
    for (const command of ["migrate", "status", "check"]) {
      const help = await runCli([command, "--help"]);
      expect(help.stdout).toMatch(
        /--pg-schema <name>\s+PostgreSQL schema of the package's tables[\s\S]*\(default: "public"\)/,
      );
    }
  });
});

describe.runIf(serverUrl)(serverOnly("be-db migrate, status and check --pg-schema auth"), () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase("cli_pg_schema");
  });
  afterAll(() => t.close());

  it("migrates into auth, reports per schema, and checks the tables there", async () => {
    const url = t.url as string;
    const migrate = await runCli(["migrate", "--database-url", url, "--pg-schema", "auth"]);
    expect(migrate.code).toBe(0);
    expect(lines(migrate.stdout).slice(0, TAGS.length)).toEqual(
      TAGS.map((tag) => expect.stringMatching(new RegExp(`^applied\\s+${tag}\\s`))),
    );
    const tables = rowsOf(
      await t.db.execute(sql`select table_schema, count(*)::int as n from information_schema.tables
        where table_schema in ('auth', 'public') group by 1`),
    );
    expect(tables).toEqual([{ table_schema: "auth", n: 5 }]);

    const status = await runCli(["status", "--database-url", url, "--pg-schema", "auth"]);
    expect(lines(status.stdout).slice(0, TAGS.length)).toEqual(TAGS.map((tag) => `applied  ${tag}`));
    const publicStatus = await runCli(["status", "--database-url", url]);
    expect(lines(publicStatus.stdout).slice(0, TAGS.length)).toEqual(TAGS.map((tag) => `pending  ${tag}`));

    const clean = await runCli(["check", "--database-url", url, "--pg-schema", "auth"]);
    expect(clean.code).toBe(0);
    await t.db.execute(sql`alter table auth.session add column device text`);
    const drift = await runCli(["check", "--database-url", url, "--pg-schema", "auth"]);
    expect(drift.code).toBe(7);
    expect(lines(drift.stderr).slice(1)).toEqual(["  - column auth.session.device is not expected (found text)"]);
    const elsewhere = await runCli(["check", "--database-url", url]);
    expect(elsewhere.code).toBe(7);
    expect(lines(elsewhere.stderr)).toContain("  - table user is missing");
  });
});
