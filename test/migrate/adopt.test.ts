import { readFileSync } from "node:fs";
import { join } from "node:path";
import { asc, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkSchema,
  MigrationError,
  migrate,
  migrationsFolder,
  SchemaMismatchError,
} from "../../src/migrate/index.js";
import { accountTable, rateLimitTable, sessionTable, userTable, verificationTable } from "../../src/schema/index.js";
import type { AnyPgDatabase } from "../../src/shared/database.js";
import { rowsOf as rows } from "../../src/shared/rows.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { buildOriginalDatabase, fillOriginalDatabase } from "../support/original-app.js";

const journal = JSON.parse(readFileSync(join(migrationsFolder, "meta", "_journal.json"), "utf8")) as {
  entries: { tag: string; when: number }[];
};
const tags = journal.entries.map((entry) => entry.tag);

/** Everything adoption could change: columns, indexes, constraints, both histories, row counts. */
async function state(db: AnyPgDatabase) {
  const q = async (query: ReturnType<typeof sql>) => rows(await db.execute(query));
  return {
    columns: await q(sql`select table_schema, table_name, column_name, data_type, is_nullable, column_default
      from information_schema.columns where table_schema in ('public', 'drizzle') order by 1, 2, 3`),
    indexes: await q(sql`select indexname, indexdef from pg_indexes where schemaname = 'public' order by 1`),
    constraints: await q(sql`select conname, pg_get_constraintdef(oid) as def from pg_constraint
      where connamespace = 'public'::regnamespace order by 1`),
    history: await q(sql`select id, hash, created_at::text from drizzle.__drizzle_migrations order by id`),
    ours: await q(sql`select to_regclass('drizzle.__be_db_migrations')::text as ours`),
    counts: await q(
      sql`select (select count(*) from "user")::int as users, (select count(*) from session)::int as sessions`,
    ),
  };
}

const byId = <T extends { id: string }>(list: T[]) => [...list].sort((a, b) => a.id.localeCompare(b.id));

describe("migrate() adopting a database made by the original app (0000 + 0001 applied)", () => {
  let t: TestDatabase;
  let original: Awaited<ReturnType<typeof fillOriginalDatabase>>;
  let hostHistory: Record<string, unknown>[];
  beforeAll(async () => {
    t = await createTestDatabase("adopt");
    await buildOriginalDatabase(t.db, 2);
    original = await fillOriginalDatabase(t.db, true);
    hostHistory = rows(await t.db.execute(sql`select * from drizzle.__drizzle_migrations order by id`));
  });
  afterAll(() => t.close());

  it("records 0000 and 0001 as applied, applies only 0002, keeps every row and the host's history", async () => {
    const result = await migrate(t.db);
    expect(result.adopted.map((m) => m.tag)).toEqual(tags.slice(0, 2));
    expect(result.applied.map((m) => m.tag)).toEqual(tags.slice(2));

    const history = rows(
      await t.db.execute(sql`select created_at::text as c from drizzle.__be_db_migrations order by id`),
    );
    expect(history.map((row) => Number(row.c))).toEqual(journal.entries.map((entry) => entry.when));
    expect(rows(await t.db.execute(sql`select * from drizzle.__drizzle_migrations order by id`))).toEqual(hostHistory);
    expect(rows(await t.db.execute(sql`select count(*)::int as n from post`))[0]?.n).toBe(0);

    // Same values, and timestamps the same instants, read through the package's own (timestamptz) tables.
    const users = await t.db.select().from(userTable).orderBy(asc(userTable.id));
    expect(users.slice(0, 2)).toEqual(byId(original.users));
    expect(users[2]).toMatchObject({ id: "u3", name: "Default", email: "default@example.com", emailVerified: false });
    expect(await t.db.select().from(sessionTable).orderBy(asc(sessionTable.id))).toEqual(byId(original.sessions));
    expect(await t.db.select().from(accountTable).orderBy(asc(accountTable.id))).toEqual(byId(original.accounts));
    expect(await t.db.select().from(verificationTable)).toEqual(original.verifications);
    // objectContaining: a later migration may add a rate-limit column; the original values must still be there.
    expect(await t.db.select().from(rateLimitTable).orderBy(asc(rateLimitTable.key))).toEqual(
      [...original.rateLimits].sort((a, b) => a.key.localeCompare(b.key)).map((row) => expect.objectContaining(row)),
    );

    expect(await checkSchema(t.db)).toEqual([]);
    const again = await migrate(t.db);
    expect(again).toEqual({ applied: [], adopted: [] });
  });
});

describe("migrate() adopting a database that has only the original 0000 (auth tables, no rate_limit)", () => {
  it("recognises 0000 as applied and applies 0001 and 0002", async () => {
    const t = await createTestDatabase("adopt_partial");
    try {
      await buildOriginalDatabase(t.db, 1);
      const original = await fillOriginalDatabase(t.db, false);
      const result = await migrate(t.db);
      expect(result.adopted.map((m) => m.tag)).toEqual(tags.slice(0, 1));
      expect(result.applied.map((m) => m.tag)).toEqual(tags.slice(1));
      expect(await t.db.select().from(sessionTable).orderBy(asc(sessionTable.id))).toEqual(byId(original.sessions));
      expect(await checkSchema(t.db)).toEqual([]);
    } finally {
      await t.close();
    }
  });
});

describe("migrate() refusing existing tables of another shape", () => {
  const drifts = [
    {
      what: "an extra NOT NULL column",
      alter: `alter table "user" add column nickname text not null default ''`,
      expected: "column user.nickname is not expected (found text NOT NULL)",
    },
    {
      what: "a missing column",
      alter: `alter table "session" drop column user_agent`,
      expected: "column session.user_agent is missing (expected text)",
    },
    {
      what: "a changed type",
      alter: `alter table "account" alter column scope type varchar(100)`,
      expected: "column account.scope has type character varying(100), expected text",
    },
  ];

  it.each(drifts)("refuses $what with the list of differences and leaves the database untouched", async (drift) => {
    const t = await createTestDatabase("adopt_drift");
    try {
      await buildOriginalDatabase(t.db, 2);
      await fillOriginalDatabase(t.db, true);
      await t.db.execute(sql.raw(drift.alter));
      const before = await state(t.db);

      const error = await migrate(t.db).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SchemaMismatchError);
      expect(error).toBeInstanceOf(MigrationError);
      const mismatch = error as SchemaMismatchError;
      expect(mismatch.name).toBe("SchemaMismatchError");
      expect(mismatch.differences).toEqual([drift.expected]);
      expect(mismatch.migration).toBe(tags[1]);
      expect(mismatch.message).toContain(drift.expected);

      expect(await state(t.db)).toEqual(before);
      expect(before.ours[0]?.ours).toBeNull();
    } finally {
      await t.close();
    }
  });

  it("refuses an unrelated table that happens to be called user", async () => {
    const t = await createTestDatabase("adopt_foreign");
    try {
      await t.db.execute(sql`create table "user" (id serial primary key, username text not null, karma integer)`);
      await t.db.execute(sql`insert into "user" (username) values ('someone')`);
      const error = await migrate(t.db).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SchemaMismatchError);
      const { differences } = error as SchemaMismatchError;
      expect(differences).toContain("column user.id has type integer, expected text");
      expect(differences).toContain("column user.username is not expected (found text NOT NULL)");
      expect(differences).toContain("column user.email is missing (expected text NOT NULL)");
      expect(differences).toContain("table session is missing");
      const left = rows(
        await t.db.execute(sql`select (select count(*) from "user")::int as n, to_regclass('session')::text as s,
          to_regnamespace('drizzle')::text as d`),
      );
      expect(left[0]).toEqual({ n: 1, s: null, d: null });
    } finally {
      await t.close();
    }
  });
});
