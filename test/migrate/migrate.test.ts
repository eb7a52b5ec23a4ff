import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkSchema, MigrationError, migrate, migrationStatus, migrationsFolder } from "../../src/migrate/index.js";
import { rowsOf as rows } from "../../src/shared/rows.js";
import {
  adminQuery,
  closablePool,
  createServerDatabase,
  createTestDatabase,
  serverOnly,
  serverUrl,
  type TestDatabase,
} from "../support/database.js";
import { tempDir } from "../support/temp.js";

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
      const folder = tempDir("migrations");
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
    const folder = tempDir("nosnap");
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

  it("refuses a history table or schema name PostgreSQL cannot hold with a TypeError, before sending anything", async () => {
    for (const options of [
      { migrationsTable: "" },
      { migrationsSchema: "" },
      { migrationsSchema: "x".repeat(64) },
      { migrationsTable: "é".repeat(32) },
      { migrationsTable: "a\u0000b" },
    ]) {
      const error = await migrate(t.db, options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TypeError);
      expect((error as TypeError).message).toMatch(
        /^@be-monorepo\/db: `migrations(Schema|Table)` must be a PostgreSQL identifier of 1 to 63 bytes/,
      );
      await expect(migrationStatus(t.db, options)).rejects.toBeInstanceOf(TypeError);
    }
    for (const options of [null, "drizzle", { migrationsFolder: 42 }, { migrationsFolder: "" }]) {
      for (const call of [migrate, migrationStatus, checkSchema]) {
        const error = await call(t.db, options as never).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(TypeError);
        expect((error as TypeError).message).toMatch(
          /^@be-monorepo\/db: (\w+\(\) options must be an object|`migrationsFolder` must be a folder path)/,
        );
      }
    }
  });

  it("refuses a history table named like one of the package's tables with a TypeError, before sending anything", async () => {
    const fresh = await createTestDatabase("migrate_history_name");
    try {
      for (const table of ["user", "session", "account", "verification", "rate_limit"]) {
        const options = { migrationsSchema: "public", migrationsTable: table };
        const error = await migrate(fresh.db, options).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(TypeError);
        expect((error as TypeError).message).toBe(
          `@be-monorepo/db: \`migrationsSchema\` and \`migrationsTable\` name public.${table}, one of the package's tables; the migration history needs a table of its own (the default is drizzle.__be_db_migrations)`,
        );
        await expect(migrationStatus(fresh.db, options)).rejects.toThrow(/one of the package's tables/);
      }
      // Nothing was sent: no history table, no package table.
      const left = rows(
        await fresh.db.execute(
          sql`select to_regclass('public.user') as u, to_regclass('drizzle.__be_db_migrations') as h`,
        ),
      );
      expect(left[0]).toEqual({ u: null, h: null });
      // The same names elsewhere, or spelled with another case (a different table to PostgreSQL), are fine.
      await migrate(fresh.db, { migrationsSchema: "history", migrationsTable: "user" });
      expect(
        (await migrationStatus(fresh.db, { migrationsSchema: "history", migrationsTable: "user" })).pending,
      ).toEqual([]);
      expect(
        (await migrationStatus(fresh.db, { migrationsSchema: "public", migrationsTable: "User" })).pending,
      ).toHaveLength(allTags.length);
    } finally {
      await fresh.close();
    }
  });

  it("raises MigrationError when the folder has no journal", async () => {
    const empty = tempDir("empty");
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

/** A copy of the shipped migrations folder, changed by `edit`; removed by the returned function. */
function doctoredFolder(edit: (folder: string) => void): { folder: string; remove: () => void } {
  const folder = tempDir("doctored");
  cpSync(migrationsFolder, folder, { recursive: true });
  edit(folder);
  return { folder, remove: () => rmSync(folder, { recursive: true, force: true }) };
}
const editJson = (file: string, change: (value: Record<string, unknown>) => void) => {
  const value = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  change(value);
  writeFileSync(file, JSON.stringify(value, null, 2));
};

describe("the drizzle-kit folder format (journal and snapshots version 7, postgresql)", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase("migrate_format");
  });
  afterAll(() => t.close());

  /** migrate(), migrationStatus() and checkSchema() all refuse the folder with `message`, and nothing is made. */
  async function expectRefused(folder: string, message: RegExp) {
    for (const call of [
      () => migrate(t.db, { migrationsFolder: folder }),
      () => migrationStatus(t.db, { migrationsFolder: folder }),
      () => checkSchema(t.db, { migrationsFolder: folder }),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as MigrationError).message).toMatch(message);
    }
    const left = rows(
      await t.db.execute(sql`select to_regclass('public.user') as u, to_regclass('drizzle.__be_db_migrations') as h`),
    );
    expect(left[0]).toEqual({ u: null, h: null });
  }

  it("refuses a journal of another version or dialect", async () => {
    for (const [field, value] of [
      ["version", "8"],
      ["dialect", "sqlite"],
    ] as const) {
      const { folder, remove } = doctoredFolder((dir) =>
        editJson(join(dir, "meta", "_journal.json"), (journal) => {
          journal[field] = value;
        }),
      );
      try {
        await expectRefused(
          folder,
          new RegExp(
            `^The migrations journal .*_journal\\.json has version "${field === "version" ? value : "7"}", dialect "${field === "dialect" ? value : "postgresql"}"; this version of @be-monorepo/db reads only drizzle-kit's folder format version 7 for postgresql`,
          ),
        );
      } finally {
        remove();
      }
    }
  });

  it("refuses a snapshot of another version, also one that adoption would not read", async () => {
    const newest = String(allTags.length - 1).padStart(4, "0");
    const { folder, remove } = doctoredFolder((dir) =>
      editJson(join(dir, "meta", `${newest}_snapshot.json`), (snapshot) => {
        snapshot.version = "8";
      }),
    );
    try {
      await expectRefused(
        folder,
        new RegExp(`^The drizzle-kit snapshot .*${newest}_snapshot\\.json has version "8", dialect "postgresql"; `),
      );
    } finally {
      remove();
    }
  });

  it("refuses drizzle-kit 1.0's layout (a folder per migration, no journal) by name", async () => {
    const folder = tempDir("kit1");
    try {
      mkdirSync(join(folder, "20260101000000_auth_tables"));
      writeFileSync(join(folder, "20260101000000_auth_tables", "migration.sql"), 'CREATE TABLE "user" (id text);');
      writeFileSync(join(folder, "20260101000000_auth_tables", "snapshot.json"), "{}");
      await expectRefused(folder, /has drizzle-kit 1\.0's layout \(a folder per migration, no meta\/_journal\.json\)/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe.runIf(serverUrl)(serverOnly("migrate() and the session's settings"), () => {
  /** A fresh database and a pool whose connections start with `options` (`-c name=value`, as libpq's). */
  async function withSessionSettings(label: string, options: string) {
    const database = await createServerDatabase(label);
    await adminQuery("create schema other", database.url);
    const closable = closablePool({ connectionString: database.url, max: 2, options });
    return {
      db: drizzle(closable.pool),
      pool: closable.pool,
      close: async () => {
        await closable.end();
        await database.drop();
      },
    };
  }

  for (const path of ["other", "other, public", '"$user", other']) {
    it(`works with search_path = ${path}: the tables are made in public, and the session keeps its search_path`, async () => {
      const t = await withSessionSettings("migrate_search_path", `-c search_path=${path.replaceAll(" ", "\\ ")}`);
      try {
        const result = await migrate(t.db);
        expect(result.applied.map((m) => m.tag)).toEqual(allTags);
        const where = rows(
          await t.db.execute(
            sql`select (select count(*)::int from pg_tables where schemaname = 'public') as public,
              (select count(*)::int from pg_tables where schemaname = 'other') as other`,
          ),
        );
        expect(where[0]).toEqual({ public: 5, other: 0 });
        expect(await checkSchema(t.db)).toEqual([]);
        expect((await migrationStatus(t.db)).pending).toEqual([]);
        expect((await migrate(t.db)).applied).toEqual([]);
        const shown = await t.pool.query("show search_path");
        expect(shown.rows[0].search_path).toBe(path);
      } finally {
        await t.close();
      }
    });
  }

  it("names the lock wait when lock_timeout ends it (another migrate() holds the lock), and applies nothing", async () => {
    const t = await withSessionSettings("migrate_lock_timeout", "-c lock_timeout=200");
    const holder = new pg.Client({ connectionString: t.pool.options.connectionString });
    await holder.connect();
    try {
      await holder.query("begin");
      await holder.query("select pg_advisory_xact_lock(hashtext('@be-monorepo/db:drizzle.__be_db_migrations'))");
      const error = await migrate(t.db).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as MigrationError).message).toBe(
        "Timed out waiting for the migration lock of drizzle.__be_db_migrations (lock_timeout 200ms, statement_timeout 0): " +
          "is another migrate() running? It holds the lock until its transaction ends; nothing was applied",
      );
      expect(((error as MigrationError).cause as { code?: string }).code).toBe("55P03");
      await holder.query("rollback");
      expect(rows(await t.db.execute(sql`select to_regclass('public.user') as u`))[0]).toEqual({ u: null });
      expect((await migrate(t.db)).applied).toHaveLength(allTags.length);
    } finally {
      await holder.end();
      await t.close();
    }
  });
});

describe("migrate() and migrationStatus() refuse a misspelt option and a db that is not a database", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase("migrate-args");
  });
  afterAll(() => t.close());

  it("a misspelt option is a TypeError naming it, and nothing is created", async () => {
    const misspelt = { pgschema: "auth" } as unknown as Parameters<typeof migrate>[1];
    await expect(migrate(t.db, misspelt)).rejects.toThrow(
      new TypeError(
        '@be-monorepo/db: migrate() has no option "pgschema"; its options are `migrationsSchema`, `migrationsTable`, `migrationsFolder`, `plugins`, `adoptFrom`, `pgSchema`',
      ),
    );
    await expect(migrationStatus(t.db, misspelt)).rejects.toThrow(TypeError);
    const tables = rows(
      await t.db.execute(sql`select count(*)::int as n from pg_tables where schemaname in ('public', 'drizzle')`),
    );
    expect(tables[0]?.n).toBe(0);
  });

  it("a db that is not a drizzle database is a TypeError naming `db`", async () => {
    for (const db of [null, undefined, {}, "postgres://x"]) {
      await expect(migrate(db as never)).rejects.toThrow(
        /^@be-monorepo\/db: migrate\(\) needs `db`, a drizzle PostgreSQL database/,
      );
      await expect(migrationStatus(db as never)).rejects.toThrow(TypeError);
    }
  });
});
