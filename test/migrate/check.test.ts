import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normaliseCondition, normaliseDefault, normaliseType } from "../../src/migrate/compare.js";
import { checkSchema, migrate, migrationsFolder } from "../../src/migrate/index.js";
import { readMigrationFolder } from "../../src/migrate/journal.js";
import { createTestDatabase, serverUrl, type TestDatabase } from "../support/database.js";
import { buildOriginalDatabase, fillOriginalDatabase } from "../support/original-app.js";
import { tempDir } from "../support/temp.js";

describe("checkSchema()", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase("check");
  });
  afterAll(() => t.close());

  it("lists every table as missing on an empty database", async () => {
    expect((await checkSchema(t.db)).sort()).toEqual(
      ["account", "rate_limit", "session", "user", "verification"].map((name) => `table ${name} is missing`),
    );
  });

  it("finds nothing after migrate(), and each kind of drift after ALTERs", async () => {
    await migrate(t.db);
    expect(await checkSchema(t.db)).toEqual([]);

    await t.db.execute(sql`alter table "user" add column nickname text not null default 'x'`);
    await t.db.execute(sql`alter table "user" alter column image type varchar(200)`);
    await t.db.execute(sql`alter table "session" alter column ip_address set not null`);
    await t.db.execute(sql`alter table "account" alter column id drop default`);
    await t.db.execute(sql`alter table "verification" alter column value set default 'x'`);
    await t.db.execute(sql`drop index verification_identifier_idx`);
    await t.db.execute(sql`create index session_token_idx on "session" (token)`);
    await t.db.execute(sql`alter table "account" drop constraint account_user_id_user_id_fk`);
    await t.db.execute(
      sql`alter table "account" add constraint account_user_id_user_id_fk foreign key (user_id) references "user"(id) on delete set null`,
    );
    await t.db.execute(sql`alter table "user" drop constraint user_email_unique`);
    await t.db.execute(sql`alter table "account" drop column scope`);

    expect((await checkSchema(t.db)).sort()).toEqual(
      [
        "column account.id has default (none), expected gen_random_uuid()::text",
        "column verification.value has default 'x', expected (none)",
        "column account.scope is missing (expected text)",
        "column session.ip_address is NOT NULL, expected nullable",
        "column user.image has type character varying(200), expected text",
        "column user.nickname is not expected (found text NOT NULL)",
        "foreign key account_user_id_user_id_fk on account is (user_id) → user(id) on delete set null on update no action, expected (user_id) → user(id) on delete cascade on update no action",
        "index session_token_idx on session (token) is not expected",
        "index verification_identifier_idx on verification (identifier) is missing",
        "unique constraint user_email_unique on user (email) is missing",
      ].sort(),
    );
  });
});

describe("normalisation of drizzle-kit's spelling to PostgreSQL's", () => {
  it("maps types", () => {
    expect(normaliseType("timestamp")).toBe("timestamp without time zone");
    expect(normaliseType("timestamp (3) with time zone")).toBe("timestamp(3) with time zone");
    expect(normaliseType("timestamptz")).toBe("timestamp with time zone");
    expect(normaliseType("varchar(64)")).toBe("character varying(64)");
    expect(normaliseType("serial")).toBe("integer");
    expect(normaliseType("numeric(10, 2)")).toBe("numeric(10,2)");
    expect(normaliseType("text[]")).toBe("text[]");
    expect(normaliseType("uuid")).toBe("uuid");
  });

  it("maps defaults", () => {
    expect(normaliseDefault("(gen_random_uuid())::text")).toBe(normaliseDefault("gen_random_uuid()::text"));
    expect(normaliseDefault(false)).toBe("false");
    expect(normaliseDefault(0)).toBe("0");
    expect(normaliseDefault("'-1'::integer")).toBe("-1");
    expect(normaliseDefault("'it''s'::text")).toBe("'it''s'");
    expect(normaliseDefault(undefined)).toBeNull();
    expect(normaliseDefault("now()")).not.toBe(normaliseDefault("CURRENT_TIMESTAMP"));
  });
});

describe.runIf(serverUrl)("checkSchema() and adoption through postgres.js (rows come back as an array)", () => {
  it("adopts an original database and then finds it clean, then finds an ALTER", async () => {
    const t = await createTestDatabase("check_postgresjs");
    const client = postgres(t.url as string, { max: 2, onnotice: () => {} });
    try {
      const db = drizzlePostgres(client);
      await buildOriginalDatabase(db, 2);
      await fillOriginalDatabase(db, true);
      const result = await migrate(db);
      expect(result.adopted.map((m) => m.tag)).toEqual(["0000_auth_tables", "0001_rate_limit"]);
      expect(await checkSchema(db)).toEqual([]);
      await db.execute(sql`alter table session alter column token drop not null`);
      expect(await checkSchema(db)).toEqual(["column session.token is nullable, expected NOT NULL"]);
    } finally {
      await client.end();
      await t.close();
    }
  });
});

describe("checkSchema() and partial indexes (the WHERE condition)", () => {
  let t: TestDatabase;
  let doctored: string;
  const condition = '"session"."deleted_at" is null';
  beforeAll(async () => {
    t = await createTestDatabase("check_where");
    await migrate(t.db);
    // The package's folder, but its newest snapshot expects session_user_id_idx to be partial.
    doctored = tempDir("where");
    cpSync(migrationsFolder, doctored, { recursive: true });
    const newest = readMigrationFolder(migrationsFolder).at(-1)?.idx as number;
    const file = join(doctored, "meta", `${String(newest).padStart(4, "0")}_snapshot.json`);
    const snapshot = JSON.parse(readFileSync(file, "utf8"));
    snapshot.tables["public.session"].indexes.session_user_id_idx.where = condition;
    writeFileSync(file, JSON.stringify(snapshot));
  });
  afterAll(async () => {
    rmSync(doctored, { recursive: true, force: true });
    await t.close();
  });

  it("finds a full index where a partial one is expected, and the reverse; the same condition in PostgreSQL's spelling matches", async () => {
    expect(await checkSchema(t.db, { migrationsFolder: doctored })).toEqual([
      `index session_user_id_idx on session has no condition, expected where ${condition}`,
    ]);
    await t.db.execute(sql`drop index session_user_id_idx`);
    await t.db.execute(sql`create index session_user_id_idx on session (user_id) where deleted_at is null`);
    expect(await checkSchema(t.db, { migrationsFolder: doctored })).toEqual([]);
    expect(await checkSchema(t.db)).toEqual([
      "index session_user_id_idx on session has the condition where (deleted_at IS NULL), expected no condition",
    ]);

    await t.db.execute(sql`drop index session_user_id_idx`);
    await t.db.execute(sql`create index session_user_id_idx on session (user_id) where deleted_at is not null`);
    expect(await checkSchema(t.db, { migrationsFolder: doctored })).toEqual([
      `index session_user_id_idx on session has the condition where (deleted_at IS NOT NULL), expected where ${condition}`,
    ]);
  });

  it("reads drizzle-kit's and PostgreSQL's spellings of one condition as the same", () => {
    // drizzle-kit's snapshot and pg_get_expr() for `.where(sql`${t.n} > 0 and (${t.s} = 'x' or ${t.s} is null)`)`.
    expect(normaliseCondition(`"thing"."n" > 0 and ("thing"."s" = 'x' or "thing"."s" is null)`, "thing")).toBe(
      normaliseCondition(`((n > 0) AND ((s = 'x'::text) OR (s IS NULL)))`, "thing"),
    );
    expect(normaliseCondition(`"user"."deleted_at" is null`, "user")).toBe(
      normaliseCondition("(deleted_at IS NULL)", "user"),
    );
    // A string literal keeps its case; a name that needs its quotes keeps them.
    expect(normaliseCondition(`"t"."s" = 'X'`, "t")).not.toBe(normaliseCondition(`(s = 'x'::text)`, "t"));
    expect(normaliseCondition(`"t"."Mixed" is null`, "t")).not.toBe(normaliseCondition("(mixed IS NULL)", "t"));
  });
});
