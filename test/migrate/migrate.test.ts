import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MigrationError, migrate, migrationStatus, migrationsFolder } from "../../src/migrate/index.js";
import { rowsOf as rows } from "../../src/shared/rows.js";
import { closablePool, createTestDatabase, serverUrl, type TestDatabase } from "../support/database.js";

const journal = JSON.parse(readFileSync(join(migrationsFolder, "meta", "_journal.json"), "utf8")) as {
  entries: { tag: string }[];
};
const allTags = journal.entries.map((entry) => entry.tag);

describe("migrate()", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase("migrate");
  });
  afterAll(() => t.close());

  it("reports every shipped migration pending on an empty database, then applies them all once", async () => {
    const before = await migrationStatus(t.db);
    expect(before.applied).toEqual([]);
    expect(before.pending.map((m) => m.tag)).toEqual(allTags);

    const first = await migrate(t.db);
    expect(first.applied.map((m) => m.tag)).toEqual(allTags);
    for (const m of first.applied) expect(m.durationMs).toBeGreaterThanOrEqual(0);

    const second = await migrate(t.db);
    expect(second.applied).toEqual([]);
    const after = await migrationStatus(t.db);
    expect(after.pending).toEqual([]);
    expect(after.applied.map((m) => m.tag)).toEqual(allTags);

    const history = rows(await t.db.execute(sql`select count(*)::int as n from drizzle.__be_db_migrations`));
    expect(history[0]?.n).toBe(allTags.length);
    const drizzleDefault = rows(await t.db.execute(sql`select to_regclass('drizzle.__drizzle_migrations') as t`));
    expect(drizzleDefault[0]?.t).toBeNull();
  });

  it("applies a migration even when the host's own, newer migrations exist in drizzle's default table", async () => {
    await t.db.execute(sql`create schema if not exists drizzle`);
    await t.db.execute(
      sql`create table drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)`,
    );
    await t.db.execute(
      sql`insert into drizzle.__drizzle_migrations (hash, created_at) values ('host', ${Date.now() + 1e9})`,
    );
    const status = await migrationStatus(t.db, { migrationsTable: "__other_history" });
    expect(status.pending.map((m) => m.tag)).toEqual(allTags);
  });

  it("keeps its history where the options say", async () => {
    const fresh = await createTestDatabase("migrate_opts");
    try {
      await migrate(fresh.db, { migrationsSchema: "public", migrationsTable: "my_history" });
      const found = rows(await fresh.db.execute(sql`select count(*)::int as n from public.my_history`));
      expect(found[0]?.n).toBe(allTags.length);
      expect(
        (await migrationStatus(fresh.db, { migrationsSchema: "public", migrationsTable: "my_history" })).pending,
      ).toEqual([]);
    } finally {
      await fresh.close();
    }
  });

  it("rolls back everything and names the migration when one fails", async () => {
    const fresh = await createTestDatabase("migrate_fail");
    try {
      const folder = mkdtempSync(join(tmpdir(), "bedb-migrations-"));
      cpSync(migrationsFolder, folder, { recursive: true });
      const broken = journal.entries.at(-1)?.tag as string;
      writeFileSync(
        join(folder, `${broken}.sql`),
        `${readFileSync(join(folder, `${broken}.sql`), "utf8")}\n--> statement-breakpoint\nselect * from no_such_table;`,
      );
      const error = await migrate(fresh.db, { migrationsFolder: folder }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as MigrationError).migration).toBe(broken);
      expect((error as MigrationError).message).toContain(broken);
      // The driver's own error, with PostgreSQL's SQLSTATE (undefined_table), not drizzle's wrapper.
      expect(((error as MigrationError).cause as { code?: string }).code).toBe("42P01");
      const tables = rows(
        await fresh.db.execute(
          sql`select to_regclass('public.user') as t, to_regclass('drizzle.__be_db_migrations') as h`,
        ),
      );
      expect(tables[0]?.t).toBeNull();
      expect(tables[0]?.h).toBeNull();
    } finally {
      await fresh.close();
    }
  });

  it("applies a folder without drizzle-kit snapshots (no adoption possible) and fails cleanly over existing tables", async () => {
    const folder = mkdtempSync(join(tmpdir(), "bedb-nosnap-"));
    cpSync(migrationsFolder, folder, { recursive: true, filter: (src) => !src.endsWith("_snapshot.json") });
    const fresh = await createTestDatabase("migrate_nosnap");
    try {
      const result = await migrate(fresh.db, { migrationsFolder: folder });
      expect(result.applied.map((m) => m.tag)).toEqual(allTags);
      await fresh.db.execute(sql`drop table drizzle.__be_db_migrations`);
      const error = await migrate(fresh.db, { migrationsFolder: folder }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as MigrationError).migration).toBe(allTags[0]);
      const users = rows(await fresh.db.execute(sql`select to_regclass('drizzle.__be_db_migrations') as h`));
      expect(users[0]?.h).toBeNull();
    } finally {
      await fresh.close();
    }
  });

  it("refuses a history table or schema name PostgreSQL cannot hold, before sending anything", async () => {
    for (const options of [
      { migrationsTable: "" },
      { migrationsSchema: "x".repeat(64) },
      { migrationsTable: "a\u0000b" },
    ]) {
      const error = await migrate(t.db, options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as MigrationError).message).toMatch(/must be a PostgreSQL identifier of 1 to 63 bytes/);
      await expect(migrationStatus(t.db, options)).rejects.toBeInstanceOf(MigrationError);
    }
  });

  it("raises MigrationError when the folder has no journal", async () => {
    const empty = mkdtempSync(join(tmpdir(), "bedb-empty-"));
    await expect(migrate(t.db, { migrationsFolder: empty })).rejects.toBeInstanceOf(MigrationError);
  });
});

describe.runIf(serverUrl)("migrate() on a database that does not exist (needs a PostgreSQL server)", () => {
  it("rejects with a MigrationError whose cause is the driver's error (3D000)", async () => {
    const url = new URL(serverUrl as string);
    url.pathname = "/bedb_no_such_database";
    const { pool, end } = closablePool({ connectionString: url.toString(), max: 1 });
    try {
      const error = await migrate(drizzle(pool)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as MigrationError).message).toMatch(
        /^Cannot run the migrations: database "bedb_no_such_database" does not exist/,
      );
      expect(((error as MigrationError).cause as { code?: string }).code).toBe("3D000");
    } finally {
      await end();
    }
  });
});

describe.runIf(serverUrl)(
  "migrate() from several app instances at once (needs a PostgreSQL server: several connections)",
  () => {
    it("applies each migration exactly once and every caller succeeds", async () => {
      const fresh = await createTestDatabase("migrate_race");
      const pools = Array.from({ length: 6 }, () => closablePool({ connectionString: fresh.url, max: 1 }));
      try {
        const results = await Promise.all(pools.map(({ pool }) => migrate(drizzle(pool))));
        const appliedCounts = results.map((r) => r.applied.length);
        expect(appliedCounts.reduce((a, b) => a + b, 0)).toBe(allTags.length);
        expect(appliedCounts.filter((n) => n > 0)).toHaveLength(1);
        const history = rows(await fresh.db.execute(sql`select count(*)::int as n from drizzle.__be_db_migrations`));
        expect(history[0]?.n).toBe(allTags.length);
      } finally {
        await Promise.all(pools.map(({ end }) => end()));
        await fresh.close();
      }
    });
  },
);
