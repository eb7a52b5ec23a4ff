import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DbStore, DbStoreError } from "../../src/rate-limit/index.js";
import { rateLimitTable } from "../../src/schema/index.js";
import { sqlStateOf } from "../../src/shared/driver-error.js";
import { rowsOf as rows } from "../../src/shared/rows.js";
import { closablePool, createTestDatabase, serverUrl, type TestDatabase } from "../support/database.js";

let t: TestDatabase;
let n = 0;
/** A store with its own prefix, so tests share the database but never each other's keys. */
const store = (windowMs = 60_000) => {
  const s = new DbStore({ db: t.db, prefix: `unit${n++}:` });
  s.init({ windowMs });
  return s;
};
const dbNowMs = async () =>
  Number(rows(await t.db.execute(sql`select floor(extract(epoch from now()) * 1000)::bigint as ms`))[0]?.ms);

beforeAll(async () => {
  t = await createTestDatabase("rate_limit_store", { migrated: true });
});
afterAll(() => t.close());

describe("rate_limit after migrate()", () => {
  it("has the nullable window_start column, the last_request index and fillfactor 70", async () => {
    const columns = rows(
      await t.db.execute(sql`select is_nullable, data_type from information_schema.columns
        where table_name = 'rate_limit' and column_name = 'window_start'`),
    );
    expect(columns).toEqual([{ is_nullable: "YES", data_type: "bigint" }]);
    const indexes = rows(await t.db.execute(sql`select indexname from pg_indexes where tablename = 'rate_limit'`));
    expect(indexes.map((i) => i.indexname)).toContain("rate_limit_last_request_idx");
    const options = rows(await t.db.execute(sql`select reloptions from pg_class where relname = 'rate_limit'`));
    expect(options[0]?.reloptions).toEqual(["fillfactor=70"]);
  });
});

describe("DbStore options", () => {
  it("rejects missing or bad constructor options with a TypeError naming the package", () => {
    // @ts-expect-error no options
    expect(() => new DbStore()).toThrow(/@be-monorepo\/db.*db/);
    // @ts-expect-error no db
    expect(() => new DbStore({})).toThrow(TypeError);
    // @ts-expect-error not a database
    expect(() => new DbStore({ db: { query: 1 } })).toThrow(/@be-monorepo\/db: DbStore option `db`/);
    // @ts-expect-error prefix not a string
    expect(() => new DbStore({ db: t.db, prefix: 3 })).toThrow(/`prefix` must be a string/);
    expect(() => new DbStore({ db: t.db, prefix: "a\u0000" })).toThrow(/NUL/);
    expect(() => new DbStore({ db: t.db, maxInFlight: 0 })).toThrow(/`maxInFlight`/);
    expect(() => new DbStore({ db: t.db, maxBatchSize: 1.5 })).toThrow(/`maxBatchSize`/);
    expect(() => new DbStore({ db: t.db, maxQueueSize: 0 })).toThrow(/`maxQueueSize` must be a positive integer/);
    // @ts-expect-error the window is the middleware's option, handed over by init()
    expect(() => new DbStore({ db: t.db, windowMs: 60_000 })).toThrow(/takes no `windowMs` option/);
  });

  it("defaults prefix to rl: and says its keys are not local", () => {
    const s = new DbStore({ db: t.db });
    expect(s.prefix).toBe("rl:");
    expect(s.localKeys).toBe(false);
  });

  it("validates windowMs at init, does no I/O there and returns nothing", async () => {
    const s = new DbStore({ db: t.db, prefix: "init:" });
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, "1000", undefined, 1e16]) {
      expect(() => s.init({ windowMs: bad as number })).toThrow(/@be-monorepo\/db: DbStore .*windowMs/);
    }
    // A string that looks like a number is shown as a string, not as the number it is not.
    expect(() => s.init({ windowMs: "1000" as unknown as number })).toThrow('(got string "1000")');
    await expect(s.increment("k")).rejects.toThrow(/no `windowMs` yet/);
    expect(s.init({ windowMs: 1000.4 })).toBeUndefined();
    expect(s.windowMs).toBe(1000);
    const [count] = rows(await t.db.execute(sql`select count(*)::int as c from rate_limit where key like 'init:%'`));
    expect(count?.c).toBe(0);
  });
});

describe("DbStore operations", () => {
  it("increment starts a window at the first hit and counts within it", async () => {
    const s = store(60_000);
    const before = await dbNowMs();
    const first = await s.increment("a");
    const after = await dbNowMs();
    expect(first.totalHits).toBe(1);
    expect(first.resetTime.getTime()).toBeGreaterThanOrEqual(before + 60_000);
    expect(first.resetTime.getTime()).toBeLessThanOrEqual(after + 60_000);
    const second = await s.increment("a");
    expect(second).toEqual({ totalHits: 2, resetTime: first.resetTime });
    expect(await s.get("a")).toEqual({ totalHits: 2, resetTime: first.resetTime });
  });

  it("get of an unknown or expired key is undefined; the first hit after resetTime starts over at 1", async () => {
    const s = store(150);
    expect(await s.get("nobody")).toBeUndefined();
    const first = await s.increment("k");
    await s.increment("k");
    await new Promise((r) => setTimeout(r, 200));
    expect(await s.get("k")).toBeUndefined();
    const again = await s.increment("k");
    expect(again.totalHits).toBe(1);
    expect(again.resetTime.getTime()).toBeGreaterThanOrEqual(first.resetTime.getTime() + 150);
  });

  it("decrement never goes below 0 and never moves the window", async () => {
    const s = store();
    const first = await s.increment("d");
    await s.increment("d");
    await s.decrement("d");
    expect(await s.get("d")).toEqual({ totalHits: 1, resetTime: first.resetTime });
    await s.decrement("d");
    await s.decrement("d");
    expect(await s.get("d")).toEqual({ totalHits: 0, resetTime: first.resetTime });
    expect(await s.increment("d")).toEqual({ totalHits: 1, resetTime: first.resetTime });
    // As MemoryStore: a decrement of an unknown key starts a window with 0 hits.
    const before = await dbNowMs();
    await s.decrement("unknown");
    const started = await s.get("unknown");
    expect(started?.totalHits).toBe(0);
    expect(started?.resetTime.getTime()).toBeGreaterThanOrEqual(before + 60_000);
  });

  it("resetKey forgets one key only", async () => {
    const s = store();
    await s.increment("x");
    await s.increment("y");
    await s.resetKey("x");
    expect(await s.get("x")).toBeUndefined();
    expect((await s.get("y"))?.totalHits).toBe(1);
    expect((await s.increment("x")).totalHits).toBe(1);
  });

  it("resetAll deletes this store's keys only: not another prefix's, not Better Auth's rows", async () => {
    const mine = store();
    const other = store();
    await mine.increment("p");
    await mine.increment("q");
    await other.increment("p");
    // A row as Better Auth writes it (key, count, lastRequest only), with a key inside this store's prefix.
    await t.db.insert(rateLimitTable).values({ key: `${mine.prefix}ba`, count: 2, lastRequest: Date.now() });
    await mine.resetAll();
    expect(await mine.get("p")).toBeUndefined();
    expect(await mine.get("q")).toBeUndefined();
    expect((await other.get("p"))?.totalHits).toBe(1);
    const ba = rows(await t.db.execute(sql`select count from rate_limit where key = ${`${mine.prefix}ba`}`));
    expect(ba).toEqual([{ count: 2 }]);
  });

  it("stores keys verbatim: quotes, backslashes, unicode, commas, braces, 1 KB with the prefix", async () => {
    const s = store();
    const keys = [
      `it's "quoted"`,
      "back\\slash\\\\",
      "{a,b}",
      "NULL",
      "",
      " spaced ",
      "emoji 🚦 ünïcødé 中文",
      "x".repeat(1024 - Buffer.byteLength(s.prefix)),
    ];
    const results = await Promise.all(keys.map((k) => s.increment(k)));
    for (const r of results) expect(r.totalHits).toBe(1);
    for (const k of keys) expect((await s.increment(k)).totalHits).toBe(2);
    const stored = rows(
      await t.db.execute(sql`select key from rate_limit where starts_with(key, ${s.prefix}) order by key`),
    ).map((r) => (r.key as string).slice(s.prefix.length));
    expect(stored.sort()).toEqual([...keys].sort());
  });

  it("rejects a NUL byte or a lone surrogate in a key with a clear error, before the database", async () => {
    const s = store();
    await expect(s.increment("a\u0000b")).rejects.toThrow(/NUL character/);
    await expect(s.get("a\u0000b")).rejects.toThrow(TypeError);
    await expect(s.increment("\uD800")).rejects.toThrow(/surrogate/);
    // @ts-expect-error not a string
    await expect(s.increment(42)).rejects.toThrow(/keys must be strings/);
    const left = rows(
      await t.db.execute(sql`select count(*)::int as c from rate_limit where starts_with(key, ${s.prefix})`),
    );
    expect(left[0]?.c).toBe(0);
  });

  it("prune deletes expired rows of this store in batches and keeps running windows and Better Auth rows", async () => {
    const s = store(100);
    const live = new DbStore({ db: t.db, prefix: s.prefix });
    live.init({ windowMs: 60_000 });
    await Promise.all(Array.from({ length: 25 }, (_, i) => s.increment(`old${i}`)));
    await t.db.insert(rateLimitTable).values({ key: `${s.prefix}ba-old`, count: 1, lastRequest: 1 });
    await new Promise((r) => setTimeout(r, 150));
    await live.increment("fresh");
    expect(await s.prune({ batchSize: 10 })).toBe(25);
    expect(await s.prune()).toBe(0);
    expect((await live.get("fresh"))?.totalHits).toBe(1);
    const ba = rows(await t.db.execute(sql`select count from rate_limit where key = ${`${s.prefix}ba-old`}`));
    expect(ba).toEqual([{ count: 1 }]);
    await expect(s.prune({ batchSize: 0 })).rejects.toThrow(TypeError);
  });

  it("takes time from the database clock, not the app's: an app clock 1 hour off changes nothing", async () => {
    const s = store(60_000);
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 3_600_000 });
    try {
      const before = await dbNowMs();
      const hit = await s.increment("clock");
      expect(hit.resetTime.getTime() - before).toBeGreaterThanOrEqual(60_000);
      expect(hit.resetTime.getTime() - before).toBeLessThan(70_000);
      expect((await s.get("clock"))?.totalHits).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it.runIf(serverUrl)(
    "prune skips a row another transaction holds instead of waiting for it (needs a PostgreSQL server: a second connection)",
    async () => {
      const s = store(50);
      await s.increment("held");
      await s.increment("free");
      await new Promise((r) => setTimeout(r, 80));
      const other = new pg.Client({ connectionString: t.url });
      await other.connect();
      try {
        await other.query("begin");
        await other.query("select 1 from rate_limit where key = $1 for update", [`${s.prefix}held`]);
        expect(await s.prune()).toBe(1);
        await other.query("commit");
        expect(await s.prune()).toBe(1);
      } finally {
        await other.end();
      }
    },
  );

  it("shutdown waits for queued increments and leaves the host's pool open", async () => {
    const s = store();
    const pending = Array.from({ length: 20 }, () => s.increment("s"));
    await s.shutdown();
    const totals = (await Promise.all(pending)).map((r) => r.totalHits).sort((a, b) => a - b);
    expect(totals).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(rows(await t.db.execute(sql`select 1 as one`))).toEqual([{ one: 1 }]);
  });
});

describe("DbStore concurrency", () => {
  it("500 concurrent increments of one key, then one more, give 1..500 and 501", async () => {
    const s = store();
    const results = await Promise.all(Array.from({ length: 500 }, () => s.increment("hot")));
    const totals = results.map((r) => r.totalHits).sort((a, b) => a - b);
    expect(totals).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect((await s.increment("hot")).totalHits).toBe(501);
  });

  it("several stores (separate batchers) on one key give distinct totals 1..N", async () => {
    const prefix = `multi${n++}:`;
    const stores = Array.from({ length: 5 }, () => {
      const s = new DbStore({ db: t.db, prefix, maxInFlight: 2, maxBatchSize: 7 });
      s.init({ windowMs: 60_000 });
      return s;
    });
    const calls = Array.from({ length: 300 }, (_, i) => stores[i % 5]?.increment(`k${i % 3}`));
    const results = await Promise.all(calls);
    for (let k = 0; k < 3; k++) {
      const totals = results
        .filter((_, i) => i % 3 === k)
        .map((r) => r?.totalHits)
        .sort((a, b) => (a ?? 0) - (b ?? 0));
      expect(totals).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    }
  });

  it("resetAll running among concurrent multi-key increments makes none of them fail", async () => {
    const s = new DbStore({ db: t.db, prefix: `reset-race${n++}:`, maxBatchSize: 50 });
    s.init({ windowMs: 60_000 });
    await Promise.all(Array.from({ length: 400 }, (_, i) => s.increment(`k${i % 400}`)));
    const work: Promise<unknown>[] = [];
    for (let round = 0; round < 6; round++) {
      // Keys chosen so that JavaScript's order (the increments' lock order) differs from the collation's.
      for (let i = 0; i < 400; i++) work.push(s.increment(i % 2 ? `k${i}` : `K${i}`));
      work.push(s.resetAll());
    }
    const outcomes = await Promise.allSettled(work);
    expect(outcomes.filter((o) => o.status === "rejected")).toEqual([]);
  });
});

describe("DbStore deadlocks", () => {
  it.runIf(serverUrl)(
    "retries an increment statement PostgreSQL aborted as a deadlock victim, counting each hit once (needs a PostgreSQL server: a second connection)",
    async () => {
      // The store's own pool of one connection: the deadlock victim is that backend, whose statistics the test
      // can flush (a backend reports its deadlocks to pg_stat_database later, when it is idle).
      const { pool, end } = closablePool({ connectionString: t.url, max: 1 });
      const db = drizzle(pool);
      // What each statement the store sent did: "ok" or the SQLSTATE PostgreSQL answered. Observed on the pool,
      // which both drizzle and the store's own node-postgres path (prepared statements) query.
      const outcomes: string[] = [];
      const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
      pool.query = ((...args: unknown[]) =>
        query(...args).then(
          (result) => {
            outcomes.push("ok");
            return result;
          },
          (error: unknown) => {
            outcomes.push(sqlStateOf(error) ?? String(error));
            throw error;
          },
        )) as typeof pool.query;
      const s = new DbStore({ db, prefix: `deadlock${n++}:` });
      s.init({ windowMs: 60_000 });
      const other = new pg.Client({ connectionString: t.url });
      await other.connect();
      const deadlocks = async () =>
        Number(
          (await other.query("select deadlocks from pg_stat_database where datname = current_database()")).rows[0]
            .deadlocks,
        );
      /** Flushes the store backend's statistics, then reads the counter until it moves past `from` (at most 3 s). */
      const deadlocksAfter = async (from: number) => {
        await db.execute(sql`select pg_stat_force_next_flush()`);
        const deadline = Date.now() + 3000;
        for (;;) {
          await other.query("select pg_stat_clear_snapshot()");
          const now = await deadlocks();
          if (now > from || Date.now() > deadline) return now;
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      try {
        await Promise.all([s.increment("a"), s.increment("b")]);
        const before = await deadlocks();
        outcomes.length = 0;
        // Another transaction holds b, and will want a; it waits 10 s before checking for a deadlock, so the
        // increment statement (PostgreSQL's default deadlock_timeout, 1 s) is the one PostgreSQL aborts.
        await other.query("begin");
        await other.query("set local deadlock_timeout = '10s'");
        await other.query("update rate_limit set count = count where key = $1", [`${s.prefix}b`]);
        const both = Promise.all([s.increment("a"), s.increment("b")]); // one statement: locks a, waits for b
        both.catch(() => {}); // awaited below; keeps an early rejection from being reported as unhandled
        // Wait until the increment statement really waits for b's lock, then close the cycle.
        for (let i = 0; ; i++) {
          const waiting = await other.query(
            `select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'
               and query like 'insert into "rate_limit"%'`,
          );
          if (waiting.rowCount) break;
          if (i > 200) throw new Error("the increment statement never waited for the lock");
          await new Promise((r) => setTimeout(r, 10));
        }
        // This statement of the other transaction succeeds: the increment statement was the victim.
        await other.query("update rate_limit set count = count where key = $1", [`${s.prefix}a`]);
        await other.query("commit");
        const [a, b] = await both;
        expect([a.totalHits, b.totalHits]).toEqual([2, 2]);
        expect((await s.get("a"))?.totalHits).toBe(2);
        expect((await s.get("b"))?.totalHits).toBe(2);
        expect(outcomes, "the statement was aborted as a deadlock victim, then sent again").toEqual([
          "40P01",
          "ok",
          "ok",
          "ok",
        ]);
        // Other connections of this database may flush deadlocks of their own meanwhile, hence "at least".
        expect(await deadlocksAfter(before), "pg_stat_database counted the deadlock").toBeGreaterThan(before);
      } finally {
        await other.end();
        await end();
      }
    },
  );
});

describe("DbStore errors", () => {
  it("rejects with DbStoreError carrying the driver's error when the table is missing, and counts nothing", async () => {
    await t.db.execute(sql`create table if not exists moved_rl (like rate_limit including all)`);
    await t.db.execute(sql`alter table rate_limit rename to rate_limit_away`);
    try {
      const s = store();
      const failures = await Promise.allSettled([s.increment("e"), s.increment("e"), s.get("e"), s.resetAll()]);
      for (const f of failures) {
        expect(f.status).toBe("rejected");
        const reason = (f as PromiseRejectedResult).reason;
        expect(reason).toBeInstanceOf(DbStoreError);
        expect(reason.name).toBe("DbStoreError");
        expect((reason.cause as { code?: string }).code).toBe("42P01");
      }
    } finally {
      await t.db.execute(sql`alter table rate_limit_away rename to rate_limit`);
    }
  });

  it.runIf(serverUrl)(
    "rejects with DbStoreError when the host's pool was ended (needs a PostgreSQL server: a pg.Pool of its own)",
    async () => {
      const pool = new pg.Pool({ connectionString: t.url, max: 2 });
      const db = drizzle(pool);
      const s = new DbStore({ db });
      s.init({ windowMs: 1000 });
      expect((await s.increment("ended")).totalHits).toBe(1);
      await pool.end();
      const error = await s.increment("ended").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DbStoreError);
      expect((error as DbStoreError).operation).toBe("increment");
      expect((error as DbStoreError).cause).toBeInstanceOf(Error);
      await expect(s.decrement("ended")).rejects.toBeInstanceOf(DbStoreError);
      await expect(s.prune()).rejects.toBeInstanceOf(DbStoreError);
    },
  );
});
