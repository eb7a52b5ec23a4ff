import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkSchema,
  MigrationError,
  migrate,
  migrationStatus,
  migrationsFolder,
  SchemaMismatchError,
} from "../../src/migrate/index.js";
import { moveSchemaReferences } from "../../src/migrate/placement.js";
import { pluginNames } from "../../src/schema/index.js";
import type { AnyPgDatabase } from "../../src/shared/database.js";
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

const journal = JSON.parse(readFileSync(join(migrationsFolder, "meta", "_journal.json"), "utf8")) as {
  entries: { tag: string }[];
};
const allTags = journal.entries.map((entry) => entry.tag);
const PACKAGE_TABLES = ["account", "rate_limit", "session", "user", "verification"];

/** Relations (tables, indexes, sequences, …), types and constraints in `schema`, read from pg_catalog. */
async function catalogOf(db: AnyPgDatabase, schema: string) {
  const [row] = rows(
    await db.execute(sql`select
      coalesce((select array_agg(relname::text order by relname) from pg_class
        where relnamespace = (select oid from pg_namespace where nspname = ${schema}) and relkind in ('r', 'p')), '{}') as tables,
      (select count(*)::int from pg_class where relnamespace = (select oid from pg_namespace where nspname = ${schema})) as relations,
      (select count(*)::int from pg_type t where typnamespace = (select oid from pg_namespace where nspname = ${schema})
        and t.typrelid = 0 and t.typcategory <> 'A') as free_types,
      (select count(*)::int from pg_constraint where connamespace = (select oid from pg_namespace where nspname = ${schema})) as constraints`),
  );
  return row as { tables: string[]; relations: number; free_types: number; constraints: number };
}

/** Every foreign key of the tables in `schema`, with the schema of the table it points to. */
async function foreignKeysOf(db: AnyPgDatabase, schema: string) {
  return rows(
    await db.execute(sql`select c.relname as "table", con.conname as name, fn.nspname as target_schema, fc.relname as target
      from pg_constraint con join pg_class c on c.oid = con.conrelid join pg_namespace n on n.oid = c.relnamespace
      join pg_class fc on fc.oid = con.confrelid join pg_namespace fn on fn.oid = fc.relnamespace
      where con.contype = 'f' and n.nspname = ${schema} order by 2`),
  );
}

describe("moveSchemaReferences(): drizzle-kit SQL moved from public to another schema", () => {
  const move = (text: string, to = "auth") => moveSchemaReferences(text, "public", to);

  it("moves qualified names, quoted or not, and quotes the target", () => {
    expect(
      move(
        'ALTER TABLE "account" ADD CONSTRAINT "account_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade;',
      ),
    ).toBe(
      'ALTER TABLE "account" ADD CONSTRAINT "account_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "auth"."user"("id") ON DELETE cascade;',
    );
    expect(move("CREATE TYPE public.role AS ENUM ('a'); select PUBLIC . x, Public/* c */.y")).toBe(
      `CREATE TYPE "auth".role AS ENUM ('a'); select "auth" . x, "auth"/* c */.y`,
    );
    expect(move('REFERENCES "public"."user"', 'Tenant "A"')).toBe('REFERENCES "Tenant ""A"""."user"');
  });

  it("leaves strings, comments, dollar-quoted bodies, other names and non-schema positions alone", () => {
    for (const text of [
      `select 'public.user', E'it\\'s public.user', $$ public.user $$, $fn$ "public"."user" $fn$`,
      `-- REFERENCES "public"."user"\nselect 1 /* "public"."user" /* nested */ public.user */`,
      'select "t"."public", t.public.x, "public_key".x, "Public".x, public_x.y, "public"',
      'CREATE TABLE "client" ("public" boolean DEFAULT false NOT NULL)',
      'select $1, a$public.b, U&"public".x',
    ]) {
      expect(move(text)).toBe(text);
    }
  });

  it("changes nothing when the target is public", () => {
    const text = 'REFERENCES "public"."user"';
    expect(moveSchemaReferences(text, "public", "public")).toBe(text);
  });
});

describe("migrate({ pgSchema }): the package's tables in another schema", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase("placement");
  });
  afterAll(() => t.close());

  it("refuses a schema name PostgreSQL would truncate or reject with a TypeError naming pgSchema, sending nothing", async () => {
    const fresh = await createTestDatabase("placement_names");
    try {
      for (const pgSchema of ["", "x".repeat(64), "é".repeat(32), "a\u0000b", "pg_auth", "information_schema", 42]) {
        for (const call of [migrate, migrationStatus, checkSchema]) {
          const error = await call(fresh.db, { pgSchema } as never).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(TypeError);
          expect((error as TypeError).message).toMatch(/^@be-monorepo\/db: `pgSchema` /);
        }
      }
      const left = rows(
        await fresh.db.execute(
          sql`select count(*)::int as n from pg_namespace where nspname not like 'pg\_%' and nspname not in ('public', 'information_schema')`,
        ),
      );
      expect(left[0]?.n).toBe(0);
      // 63 bytes is PostgreSQL's longest name: accepted and kept whole.
      const longest = `${"é".repeat(31)}x`;
      expect((await migrate(fresh.db, { pgSchema: longest })).applied.map((m) => m.tag)).toEqual(allTags);
      expect((await catalogOf(fresh.db, longest)).tables).toEqual(PACKAGE_TABLES);
    } finally {
      await fresh.close();
    }
  });

  it("creates the schema, applies every migration there and nothing in public; status, check and history follow", async () => {
    expect((await migrationStatus(t.db, { pgSchema: "auth" })).pending.map((m) => m.tag)).toEqual(allTags);
    const result = await migrate(t.db, { pgSchema: "auth" });
    expect(result.applied.map((m) => m.tag)).toEqual(allTags);
    expect(result.adopted).toEqual([]);

    const auth = await catalogOf(t.db, "auth");
    expect(auth.tables).toEqual(PACKAGE_TABLES);
    const pub = await catalogOf(t.db, "public");
    expect(pub).toEqual({ tables: [], relations: 0, free_types: 0, constraints: 0 });
    const keys = await foreignKeysOf(t.db, "auth");
    expect(keys.map((key) => [key.name, key.target_schema, key.target])).toEqual([
      ["account_user_id_user_id_fk", "auth", "user"],
      ["session_user_id_user_id_fk", "auth", "user"],
    ]);
    const [fillfactor] = rows(
      await t.db.execute(sql`select reloptions from pg_class where oid = 'auth.rate_limit'::regclass`),
    );
    expect(fillfactor?.reloptions).toEqual(["fillfactor=70"]);

    expect(await checkSchema(t.db, { pgSchema: "auth" })).toEqual([]);
    expect((await checkSchema(t.db)).sort()).toEqual(PACKAGE_TABLES.map((table) => `table ${table} is missing`));
    expect((await migrationStatus(t.db, { pgSchema: "auth" })).pending).toEqual([]);
    expect((await migrationStatus(t.db)).pending.map((m) => m.tag)).toEqual(allTags);
    const history = rows(
      await t.db.execute(sql`select pg_schema, count(*)::int as n from drizzle.__be_db_migrations group by 1`),
    );
    expect(history).toEqual([{ pg_schema: "auth", n: allTags.length }]);
    expect((await migrate(t.db, { pgSchema: "auth" })).applied).toEqual([]);
  });

  it("then migrates public independently, under the same history table", async () => {
    expect((await migrate(t.db)).applied.map((m) => m.tag)).toEqual(allTags);
    expect(await checkSchema(t.db)).toEqual([]);
    expect(await checkSchema(t.db, { pgSchema: "auth" })).toEqual([]);
    const history = rows(
      await t.db.execute(
        sql`select pg_schema, count(*)::int as n from drizzle.__be_db_migrations group by 1 order by 1`,
      ),
    );
    expect(history).toEqual([
      { pg_schema: "auth", n: allTags.length },
      { pg_schema: "public", n: allTags.length },
    ]);
  });

  it("keeps a history written before the option (no pg_schema column) as public's, adding the column once", async () => {
    const fresh = await createTestDatabase("placement_upgrade");
    try {
      await migrate(fresh.db);
      const columns = async () =>
        rows(
          await fresh.db.execute(sql`select column_name from information_schema.columns
            where table_schema = 'drizzle' and table_name = '__be_db_migrations' order by ordinal_position`),
        ).map((row) => row.column_name);
      // The default schema changes nothing in the history table's layout.
      expect(await columns()).toEqual(["id", "hash", "created_at"]);
      expect((await migrationStatus(fresh.db, { pgSchema: "auth" })).pending.map((m) => m.tag)).toEqual(allTags);
      await migrate(fresh.db, { pgSchema: "auth" });
      expect(await columns()).toEqual(["id", "hash", "created_at", "pg_schema"]);
      const history = rows(
        await fresh.db.execute(
          sql`select pg_schema, count(*)::int as n from drizzle.__be_db_migrations group by 1 order by 1`,
        ),
      );
      expect(history).toEqual([
        { pg_schema: "auth", n: allTags.length },
        { pg_schema: "public", n: allTags.length },
      ]);
      expect((await migrationStatus(fresh.db)).pending).toEqual([]);
      expect((await migrate(fresh.db)).applied).toEqual([]);
      // A row drizzle-kit migrate writes (hash and created_at only) is public's.
      await fresh.db.execute(sql`insert into drizzle.__be_db_migrations (hash, created_at) values ('kit', 1)`);
      const [kit] = rows(
        await fresh.db.execute(sql`select pg_schema from drizzle.__be_db_migrations where hash = 'kit'`),
      );
      expect(kit?.pg_schema).toBe("public");
    } finally {
      await fresh.close();
    }
  });

  it("adopts tables already in the schema, and refuses mismatched ones naming them schema-qualified", async () => {
    const fresh = await createTestDatabase("placement_adopt");
    try {
      await migrate(fresh.db, { pgSchema: "auth" });
      await fresh.db.execute(sql`delete from drizzle.__be_db_migrations`);
      const adopted = await migrate(fresh.db, { pgSchema: "auth" });
      expect(adopted.adopted.map((m) => m.tag)).toEqual(allTags);
      expect(adopted.applied).toEqual([]);

      await fresh.db.execute(sql`delete from drizzle.__be_db_migrations`);
      await fresh.db.execute(sql`alter table auth."user" add column nickname text not null default 'x'`);
      const error = await migrate(fresh.db, { pgSchema: "auth" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SchemaMismatchError);
      expect((error as SchemaMismatchError).differences).toContain(
        "column auth.user.nickname is not expected (found text NOT NULL)",
      );
      expect(await checkSchema(fresh.db, { pgSchema: "auth" })).toEqual([
        "column auth.user.nickname is not expected (found text NOT NULL)",
      ]);
      expect(rows(await fresh.db.execute(sql`select count(*)::int as n from drizzle.__be_db_migrations`))).toEqual([
        { n: 0 },
      ]);
    } finally {
      await fresh.close();
    }
  });

  it("takes any schema name PostgreSQL keeps as given: upper case, spaces, quotes", async () => {
    const fresh = await createTestDatabase("placement_quoted");
    try {
      const pgSchema = 'Tenant "A" 1';
      expect((await migrate(fresh.db, { pgSchema })).applied.map((m) => m.tag)).toEqual(allTags);
      expect((await catalogOf(fresh.db, pgSchema)).tables).toEqual(PACKAGE_TABLES);
      expect((await foreignKeysOf(fresh.db, pgSchema)).map((key) => key.target_schema)).toEqual([pgSchema, pgSchema]);
      expect(await checkSchema(fresh.db, { pgSchema })).toEqual([]);
      expect((await migrationStatus(fresh.db, { pgSchema })).pending).toEqual([]);
      expect((await migrationStatus(fresh.db, { pgSchema: "tenant a 1" })).pending).toHaveLength(allTags.length);
    } finally {
      await fresh.close();
    }
  });

  it("refuses adoptFrom (conversion of tables in public) with another pgSchema, before sending anything", async () => {
    const error = await migrate(t.db, { pgSchema: "elsewhere", adoptFrom: "better-auth-cli" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe(
      '@be-monorepo/db: `adoptFrom` converts tables in public only; it cannot be combined with `pgSchema` "elsewhere"',
    );
    expect((await catalogOf(t.db, "elsewhere")).relations).toBe(0);
  });

  it("refuses a history table that would be one of the package's tables in that schema", async () => {
    const error = await migrate(t.db, { pgSchema: "auth", migrationsSchema: "auth", migrationsTable: "user" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toMatch(/name auth\.user, one of the package's tables/);
  });

  it("rolls back the schema, the tables and the history when a migration fails", async () => {
    const fresh = await createTestDatabase("placement_fail");
    try {
      await fresh.db.execute(sql`create schema tenant_x`);
      // Not one of the package's tables (no adoption), but the name of an index migration 0002 creates there.
      await fresh.db.execute(sql`create table tenant_x.account_user_id_idx (id int)`);
      const error = await migrate(fresh.db, { pgSchema: "tenant_x" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as MigrationError).migration).toBe(allTags[2]);
      expect(((error as MigrationError).cause as { code?: string }).code).toBe("42P07");
      expect((await catalogOf(fresh.db, "tenant_x")).tables).toEqual(["account_user_id_idx"]);
      expect(
        rows(await fresh.db.execute(sql`select to_regclass('drizzle.__be_db_migrations')::text as h`))[0]?.h,
      ).toBeNull();
    } finally {
      await fresh.close();
    }
  });
});

describe.runIf(serverUrl)(serverOnly("migrate({ pgSchema }) and the session's search_path"), () => {
  for (const path of ["other", "other, public", "auth", "pg_catalog"]) {
    it(`works with search_path = ${path}, and leaves the session's search_path as it was`, async () => {
      const database = await createServerDatabase("placement_path");
      await adminQuery("create schema other", database.url);
      const closable = closablePool({
        connectionString: database.url,
        max: 2,
        options: `-c search_path=${path.replaceAll(" ", "\\ ")}`,
      });
      const db = drizzle(closable.pool);
      try {
        expect((await migrate(db, { pgSchema: "auth" })).applied.map((m) => m.tag)).toEqual(allTags);
        expect((await catalogOf(db, "auth")).tables).toEqual(PACKAGE_TABLES);
        for (const schema of ["public", "other"]) expect((await catalogOf(db, schema)).relations).toBe(0);
        expect(await checkSchema(db, { pgSchema: "auth" })).toEqual([]);
        expect((await migrationStatus(db, { pgSchema: "auth" })).pending).toEqual([]);
        expect((await migrate(db, { pgSchema: "auth" })).applied).toEqual([]);
        expect((await closable.pool.query("show search_path")).rows[0].search_path).toBe(path);
      } finally {
        await closable.end();
        await database.drop();
      }
    });
  }
});

describe.runIf(serverUrl)(serverOnly("two schemas in one database (tenant_a, tenant_b)"), () => {
  it("migrate at once from several connections, with every plugin: each set applied exactly once, independent histories, nothing in public", async () => {
    const fresh = await createTestDatabase("placement_tenants");
    const pools = Array.from({ length: 6 }, () => closablePool({ connectionString: fresh.url, max: 1 }));
    try {
      const schemas = ["tenant_a", "tenant_b", "tenant_a", "tenant_b", "tenant_a", "tenant_b"];
      const plugins = [...pluginNames];
      const results = await Promise.all(
        pools.map(({ pool }, i) => migrate(drizzle(pool), { pgSchema: schemas[i], plugins })),
      );
      const tags = (await migrationStatus(fresh.db, { pgSchema: "tenant_a", plugins })).applied.map((m) => m.tag);
      expect(tags.slice(0, allTags.length)).toEqual(allTags);
      expect(tags.length).toBeGreaterThan(allTags.length);
      for (const tenant of ["tenant_a", "tenant_b"]) {
        const counts = results.filter((_, i) => schemas[i] === tenant).map((r) => r.applied.length);
        expect(counts.sort((a, b) => a - b)).toEqual([0, 0, tags.length]);
        expect((await catalogOf(fresh.db, tenant)).tables).toEqual(expect.arrayContaining(PACKAGE_TABLES));
        expect((await catalogOf(fresh.db, tenant)).tables.length).toBeGreaterThan(PACKAGE_TABLES.length);
        expect(await checkSchema(fresh.db, { pgSchema: tenant, plugins })).toEqual([]);
        expect((await migrationStatus(fresh.db, { pgSchema: tenant, plugins })).pending).toEqual([]);
      }
      expect(await catalogOf(fresh.db, "public")).toEqual({ tables: [], relations: 0, free_types: 0, constraints: 0 });
      const history = rows(
        await fresh.db.execute(
          sql`select pg_schema, count(*)::int as n from drizzle.__be_db_migrations group by 1 order by 1`,
        ),
      );
      expect(history).toEqual([
        { pg_schema: "tenant_a", n: tags.length },
        { pg_schema: "tenant_b", n: tags.length },
      ]);
      // A row of one tenant is not visible in the other.
      await fresh.db.execute(sql`insert into tenant_a."user" (name, email) values ('A', 'a@example.test')`);
      const counts = rows(
        await fresh.db.execute(
          sql`select (select count(*)::int from tenant_a."user") as a, (select count(*)::int from tenant_b."user") as b`,
        ),
      );
      expect(counts).toEqual([{ a: 1, b: 0 }]);
    } finally {
      await Promise.all(pools.map(({ end }) => end()));
      await fresh.close();
    }
  });

  it("one schema's migration lock does not hold up another's", async () => {
    const fresh = await createTestDatabase("placement_locks");
    await migrate(fresh.db, { pgSchema: "tenant_a" }); // the history table and its column exist
    const holder = new pg.Client({ connectionString: fresh.url });
    await holder.connect();
    const impatient = closablePool({ connectionString: fresh.url, max: 1, options: "-c lock_timeout=300" });
    try {
      const held = drizzle(holder);
      await held.transaction(async (tx) => {
        // tenant_a migrates inside a transaction that stays open: its lock is held until the end.
        await migrate(tx, { pgSchema: "tenant_a" });
        expect((await migrate(drizzle(impatient.pool), { pgSchema: "tenant_b" })).applied).toHaveLength(allTags.length);
        const error = await migrate(drizzle(impatient.pool), { pgSchema: "tenant_a" }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(MigrationError);
        expect((error as MigrationError).message).toMatch(
          /^Timed out waiting for the migration lock of drizzle\.__be_db_migrations for schema tenant_a \(lock_timeout 300ms/,
        );
      });
    } finally {
      await holder.end();
      await impatient.end();
      await fresh.close();
    }
  });
});
