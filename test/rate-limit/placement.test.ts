import { eq, sql } from "drizzle-orm";
import { bigint, integer, PgDialect, pgSchema, pgTable, text } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/migrate/index.js";
import { DbStore } from "../../src/rate-limit/index.js";
import { getStatement, incrementStatement, pruneStatement } from "../../src/rate-limit/statements.js";
import { defineAuthSchema, rateLimitTable, userTable } from "../../src/schema/index.js";
import { rowsOf } from "../../src/shared/rows.js";
import { databaseWithSearchPath, type PlacedDatabase } from "../support/search-path.js";

const dialect = new PgDialect();

describe("DbStore({ table }): the rate_limit table where it is", () => {
  it("names the package's rateLimitTable as before, and another schema's table schema-qualified and quoted", async () => {
    expect(dialect.sqlToQuery(getStatement("k")).sql).toBe(
      'select "count", "last_request" from "rate_limit"\nwhere "key" = $1 and "window_start" is not null and "last_request" > (floor(extract(epoch from statement_timestamp()) * 1000))::bigint',
    );
    expect(dialect.sqlToQuery(incrementStatement(["k"], [1], 1000)).sql).toMatch(/^insert into "rate_limit" as r/);
    expect(dialect.sqlToQuery(pruneStatement("rl:", 10)).sql).toContain('delete from "rate_limit" where');

    // The statements a store sends, through a database that records them and answers nothing.
    const seen: string[] = [];
    const recorder = {
      execute: async (query: never) => {
        seen.push(dialect.sqlToQuery(query).sql);
        return { rows: [] };
      },
    };
    const placed = 'Auth "1"';
    // drizzle's own pgSchema takes any name (defineAuthSchema only plain identifiers).
    const table = pgSchema(placed).table("rate_limit", {
      id: text("id"),
      key: text("key"),
      count: integer("count"),
      lastRequest: bigint("last_request", { mode: "number" }),
      windowStart: bigint("window_start", { mode: "number" }),
      previousCount: integer("previous_count"),
      blockedUntil: bigint("blocked_until", { mode: "number" }),
    });
    const store = new DbStore({ db: recorder as never, table });
    store.init({ windowMs: 1000 });
    // The recorder answers no row, which the increment reports; the statement was sent all the same.
    await expect(store.increment("a")).rejects.toThrow(/the upsert returned no row/);
    await Promise.all([store.get("a"), store.decrement("a"), store.resetKey("a"), store.resetAll(), store.prune()]);
    expect(seen).toHaveLength(6);
    for (const text of seen) {
      expect(text).toContain('"Auth ""1"""."rate_limit"');
      expect(text.replaceAll('"Auth ""1"""."rate_limit"', "")).not.toContain('"rate_limit"');
    }
  });

  it("refuses a table that is not a drizzle table with the rate_limit columns, naming the option", () => {
    const db = { execute: async () => ({ rows: [] }) } as never;
    for (const [table, message] of [
      [42, "DbStore option `table` must be a drizzle PostgreSQL table such as `rateLimitTable` (got number)"],
      [null, "DbStore option `table` must be a drizzle PostgreSQL table such as `rateLimitTable` (got null)"],
      [
        userTable,
        "DbStore option `table` must have the rate_limit columns id, key, count, last_request, window_start, previous_count, blocked_until; user lacks key, count, last_request, window_start, previous_count, blocked_until",
      ],
      [
        pgTable("rate_limit", {
          id: text("id"),
          key: text("key"),
          count: text("count"),
          lastRequest: text("last_request"),
        }),
        "DbStore option `table` must have the rate_limit columns id, key, count, last_request, window_start, previous_count, blocked_until; rate_limit lacks window_start, previous_count, blocked_until",
      ],
    ] as const) {
      expect(() => new DbStore({ db, table: table as never })).toThrow(new TypeError(`@be-monorepo/db: ${message}`));
    }
    expect(() => new DbStore({ db, table: rateLimitTable })).not.toThrow();
  });
});

describe("DbStore on rate_limit in schema auth, the session's search_path pointing elsewhere", () => {
  let t: PlacedDatabase;
  const s = defineAuthSchema({ pgSchema: "auth" });
  beforeAll(async () => {
    t = await databaseWithSearchPath("rl_placement", "other");
    await migrate(t.db, { pgSchema: "auth" });
  });
  afterAll(() => t.close());

  it("counts, reads, decrements, resets and prunes in auth.rate_limit, with nothing anywhere else", async () => {
    const store = new DbStore({ db: t.db, table: s.rateLimitTable, prefix: "placed:" });
    store.init({ windowMs: 60_000 });
    const hits = await Promise.all(Array.from({ length: 20 }, () => store.increment("k")));
    expect(hits.map((hit) => hit.totalHits).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect((await store.get("k"))?.totalHits).toBe(20);
    await store.decrement("k");
    expect((await store.get("k"))?.totalHits).toBe(19);
    const [row] = await t.db.select().from(s.rateLimitTable).where(eq(s.rateLimitTable.key, "placed:k"));
    expect(row?.count).toBe(19);
    await store.resetKey("k");
    expect(await store.get("k")).toBeUndefined();
    await store.increment("other");
    await store.resetAll();
    expect(await store.get("other")).toBeUndefined();

    const expired = new DbStore({ db: t.db, table: s.rateLimitTable, prefix: "short:" });
    expired.init({ windowMs: 1 });
    await expired.increment("a");
    await t.db.execute(sql`select pg_sleep(0.01)`);
    expect(await expired.prune()).toBe(1);
    const [left] = rowsOf(await t.db.execute(sql`select count(*)::int as n from auth.rate_limit`));
    expect(left?.n).toBe(0);
  });

  it("the default table (the package's rateLimitTable, unqualified) is not found off the search_path", async () => {
    const store = new DbStore({ db: t.db });
    store.init({ windowMs: 1000 });
    const error = await store.increment("k").catch((e: unknown) => e);
    expect((error as { cause?: { code?: string } }).cause?.code).toBe("42P01");
  });
});
