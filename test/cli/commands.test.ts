import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrationsFolder } from "../../src/migrate/index.js";
import { lines, runCli } from "../support/cli.js";
import { createTestDatabase, serverUrl, type TestDatabase } from "../support/database.js";
import { buildOriginalDatabase, fillOriginalDatabase } from "../support/original-app.js";
import { tempDir } from "../support/temp.js";

const journal = JSON.parse(readFileSync(join(migrationsFolder, "meta", "_journal.json"), "utf8")) as {
  entries: { tag: string }[];
};
const TAGS = journal.entries.map((entry) => entry.tag);
const N = TAGS.length;

describe.runIf(serverUrl)("be-db migrate, status and check on a PostgreSQL server", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase("cli");
  });
  afterAll(() => t.close());

  it("lists pending, applies each migration with its time, lists applied, checks clean, then finds an ALTER", async () => {
    const url = t.url as string;
    const before = await runCli(["status", "--database-url", url]);
    expect(before.code).toBe(0);
    expect(lines(before.stdout)).toEqual([
      ...TAGS.map((tag) => `pending  ${tag}`),
      expect.stringMatching(new RegExp(`0 applied, ${N} pending\\.$`)),
    ]);

    const migrate = await runCli(["migrate"], { DATABASE_URL: url });
    expect(migrate.code).toBe(0);
    expect(migrate.stderr).toBe("");
    const printed = lines(migrate.stdout);
    TAGS.forEach((tag, i) => {
      expect(printed[i]).toMatch(new RegExp(`^applied\\s+${tag}\\s+\\d+(\\.\\d)? ms$`));
    });
    expect(printed[N]).toMatch(new RegExp(`: ${N} migration\\(s\\) applied in \\d+(\\.\\d)? ms\\.$`));

    const after = await runCli(["status", "--database-url", url]);
    expect(lines(after.stdout).slice(0, N)).toEqual(TAGS.map((tag) => `applied  ${tag}`));
    const again = await runCli(["migrate", "--database-url", url]);
    expect(again.stdout).toMatch(/^Nothing to apply: .* is up to date\.\n$/);

    const clean = await runCli(["check", "--database-url", url]);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/^No differences: /);

    await t.db.execute(sql`alter table "session" add column device text not null default 'phone'`);
    await t.db.execute(sql`drop index session_user_id_idx`);
    const drift = await runCli(["check", "--database-url", url]);
    expect(drift.code).toBe(7);
    expect(lines(drift.stderr)).toEqual([
      expect.stringMatching(/^2 difference\(s\) between postgres:\/\/.* and the tables this package expects:$/),
      "  - column session.device is not expected (found text NOT NULL)",
      "  - index session_user_id_idx on session (user_id) is missing",
    ]);
  });

  it("adopts a database made by the original app, and refuses a drifted one with the list (exit code 7)", async () => {
    const original = await createTestDatabase("cli_adopt");
    const drifted = await createTestDatabase("cli_drift");
    try {
      await buildOriginalDatabase(original.db, 2);
      await fillOriginalDatabase(original.db, true);
      const adopt = await runCli(["migrate", "--database-url", original.url as string]);
      expect(adopt.code).toBe(0);
      expect(lines(adopt.stdout).slice(0, N)).toEqual([
        `recorded  ${TAGS[0]}  (its tables were already there, with the expected shape)`,
        `recorded  ${TAGS[1]}  (its tables were already there, with the expected shape)`,
        ...TAGS.slice(2).map((tag) => expect.stringMatching(new RegExp(`^applied\\s+${tag}\\s+\\d`))),
      ]);
      expect((await runCli(["check", "--database-url", original.url as string])).code).toBe(0);

      await buildOriginalDatabase(drifted.db, 2);
      await drifted.db.execute(sql`alter table "verification" alter column value drop not null`);
      const refused = await runCli(["migrate", "--database-url", drifted.url as string]);
      expect(refused.code).toBe(7);
      expect(lines(refused.stderr)).toEqual([
        expect.stringMatching(/^be-db: Refused: .*closest: 0001_rate_limit.*nothing was changed/),
        "  - column verification.value is nullable, expected NOT NULL",
      ]);
    } finally {
      await original.close();
      await drifted.close();
    }
  });

  it("never prints a password given in the URL's userinfo or query string, in any command", async () => {
    const t2 = await createTestDatabase("cli_secret");
    try {
      // The test server trusts every login, so the passwords are sent (when asked) and ignored.
      const withPasswords = new URL(t2.url as string);
      withPasswords.password = "hunter2";
      withPasswords.searchParams.set("password", "hunter3");
      const bare = new URL(t2.url as string);
      bare.password = "";
      const shown = bare.toString();
      const url = withPasswords.toString();

      const status = await runCli(["status", "--database-url", url]);
      expect(status.stdout).toContain(`${shown}: 0 applied, ${N} pending.\n`);
      const migrate = await runCli(["migrate"], { DATABASE_URL: url });
      expect(lines(migrate.stdout).at(-1)).toMatch(`${shown}: ${N} migration(s) applied in `);
      const again = await runCli(["migrate", "--database-url", url]);
      expect(again.stdout).toBe(`Nothing to apply: ${shown} is up to date.\n`);
      const clean = await runCli(["check", "--database-url", url]);
      expect(clean.stdout).toBe(`No differences: ${shown} has the tables this package expects.\n`);
      await t2.db.execute(sql`drop index session_user_id_idx`);
      const drift = await runCli(["check", "--database-url", url]);
      expect(drift.code).toBe(7);
      expect(lines(drift.stderr)[0]).toBe(`1 difference(s) between ${shown} and the tables this package expects:`);
      for (const run of [status, migrate, again, clean, drift]) {
        expect(run.code === 0 || run === drift).toBe(true);
        expect(run.stdout + run.stderr).not.toContain("hunter");
      }
    } finally {
      await t2.close();
    }
  });

  it("reports a failed migration in one line with exit code 6, and keeps nothing of it", async () => {
    const t2 = await createTestDatabase("cli_fail");
    try {
      await buildOriginalDatabase(t2.db, 2);
      // A host table with the name 0002 gives one of its indexes: that migration must fail and roll back.
      await t2.db.execute(sql`create table account_user_id_idx (id int)`);
      const run = await runCli(["migrate", "--database-url", t2.url as string]);
      expect(run.code).toBe(6);
      expect(lines(run.stderr)).toEqual([
        'be-db: Migration 0002_auth_fixes failed: relation "account_user_id_idx" already exists',
      ]);
      const left = await t2.db.execute(sql`select to_regclass('drizzle.__be_db_migrations')::text as h`);
      expect(left.rows[0]).toEqual({ h: null });
    } finally {
      await t2.close();
    }
  });
});

describe("be-db --pglite DIR", () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir("cli-pglite");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Three PGlite starts in a row (the first makes the cluster): seconds on a quiet machine, far more on a loaded one.
  it("migrates an embedded PGlite database kept in the folder, which status and check then read back", {
    timeout: 90_000,
  }, async () => {
    const folder = join(dir, "data");
    const migrate = await runCli(["migrate", "--pglite", folder]);
    expect(migrate.code).toBe(0);
    expect(
      lines(migrate.stdout)
        .slice(0, N)
        .map((line) => line.split(/\s+/).slice(0, 2)),
    ).toEqual(TAGS.map((tag) => ["applied", tag]));
    const status = await runCli(["status", "--pglite", folder]);
    expect(status.code).toBe(0);
    expect(lines(status.stdout)).toEqual([
      ...TAGS.map((tag) => `applied  ${tag}`),
      `PGlite at ${folder}: ${N} applied, 0 pending.`,
    ]);
    expect((await runCli(["check", "--pglite", folder])).code).toBe(0);
  });

  it("reports a folder PGlite cannot use in one line with exit code 3", async () => {
    const run = await runCli(["status", "--pglite", "/proc/version"]);
    expect(run.code).toBe(3);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toBe("be-db: Cannot open PGlite at /proc/version: /proc/version is a file, not a folder\n");
  });
});
