/**
 * The blocked-key cache (`blockedKeyCacheSize`): a key known over its limit answers from memory until the time
 * it is known blocked to. Proven with a pool that is ended once the key is blocked: the answers keep coming
 * (no database), and the first call after that time reaches the database (and fails, the pool being ended).
 */
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/migrate/index.js";
import { DbStore, DbStoreError } from "../../src/rate-limit/index.js";
import { rowsOf } from "../../src/shared/rows.js";
import { closablePool, createTestDatabase, serverOnly, serverUrl, type TestDatabase } from "../support/database.js";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("rate_limit_blocked_cache");
  await migrate(t.db);
});
afterAll(() => t.close());

const MARGIN = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const dbNow = async () =>
  Number(
    rowsOf(await t.db.execute(sql`select (floor(extract(epoch from clock_timestamp()) * 1000))::bigint as now`))[0]
      ?.now,
  );
const storedCount = async (key: string) =>
  Number(rowsOf(await t.db.execute(sql`select count from rate_limit where key = ${key}`))[0]?.count);

/** A store on a pool of its own, which the test ends to make the database unreachable for that store. */
function ownStore(options: Partial<ConstructorParameters<typeof DbStore>[0]>) {
  const { pool, end } = closablePool({ connectionString: t.url, max: 2 });
  return { store: new DbStore({ db: drizzle(pool), ...options }), end };
}

describe.runIf(serverUrl)(serverOnly("DbStore's blocked-key cache"), () => {
  it("increment: a key over its limit answers from memory until its window ends, then asks the database", async () => {
    const { store, end } = ownStore({ prefix: "bc:" });
    store.init({ windowMs: 1500, limit: 3 });
    for (let i = 1; i <= 3; i++) expect((await store.increment("k")).totalHits).toBe(i);
    const over = await store.increment("k");
    expect(over.totalHits).toBe(4);
    await sleep(200); // the cache measures the database clock's offset once, in the background
    await end(); // from here on, any call that reaches the database fails

    for (let i = 5; i <= 9; i++)
      expect(await store.increment("k")).toEqual({ totalHits: i, resetTime: over.resetTime });
    await store.decrement("k"); // takes back a hit answered from memory: no database either
    expect(await store.increment("k")).toEqual({ totalHits: 9, resetTime: over.resetTime });
    // What the database counted: the hits up to the one that went over; those answered from memory are not sent.
    expect(await storedCount("bc:k")).toBe(4);

    await sleep(Math.max(0, over.resetTime.getTime() - (await dbNow())) + MARGIN);
    await expect(store.increment("k"), "past the window's end, the database is asked").rejects.toBeInstanceOf(
      DbStoreError,
    );
  });

  it("with blockedKeyCacheSize 0 every call asks the database", async () => {
    const { store, end } = ownStore({ prefix: "bc0:", blockedKeyCacheSize: 0 });
    store.init({ windowMs: 60_000, limit: 1 });
    await store.increment("k");
    await store.increment("k");
    await sleep(200);
    await end();
    await expect(store.increment("k")).rejects.toBeInstanceOf(DbStoreError);
  });

  it("consume: a denied key answers from memory (retryAfter counting down) until its window ends", async () => {
    const { store, end } = ownStore({ prefix: "bcc:" });
    const rule = { window: 2, max: 2 };
    expect((await store.consume("k", rule)).allowed).toBe(true);
    expect((await store.consume("k", rule)).allowed).toBe(true);
    expect(await store.consume("k", rule)).toEqual({ allowed: false, retryAfter: 2 });
    await sleep(200);
    await end();
    const windowEnd =
      Number(
        rowsOf(await t.db.execute(sql`select last_request from rate_limit where key = 'bcc:k'`))[0]?.last_request,
      ) || 0;
    for (let i = 0; i < 3; i++) expect(await store.consume("k", rule)).toMatchObject({ allowed: false });
    await sleep(Math.max(0, windowEnd - (await dbNow()) - 900));
    expect(await store.consume("k", rule)).toEqual({ allowed: false, retryAfter: 1 });
    await sleep(Math.max(0, windowEnd - (await dbNow())) + MARGIN);
    await expect(store.consume("k", rule)).rejects.toBeInstanceOf(DbStoreError);
  });

  it("token bucket: a key without a free token answers from memory until a token is back", async () => {
    const { store, end } = ownStore({ prefix: "bct:", algorithm: "token-bucket" });
    store.init({ windowMs: 2000, limit: 2 }); // a token back every second
    await store.increment("k");
    const last = await store.increment("k");
    expect(last.totalHits).toBe(2);
    expect((await store.increment("k")).totalHits).toBe(3); // none free
    await sleep(200);
    await end();
    expect(await store.increment("k")).toEqual({ totalHits: 3, resetTime: last.resetTime }); // from memory, not counted
    // A token is back at tat + interval − limit × interval = last.resetTime − 1000.
    await sleep(Math.max(0, last.resetTime.getTime() - 1000 - (await dbNow())) + MARGIN);
    await expect(store.increment("k")).rejects.toBeInstanceOf(DbStoreError);
  });

  it("resetKey forgets a cached key; resetAll forgets them all", async () => {
    const store = new DbStore({ db: t.db, prefix: "bcr:" });
    store.init({ windowMs: 60_000, limit: 1 });
    await store.increment("a");
    await store.increment("a");
    await store.increment("b");
    await store.increment("b");
    await sleep(200);
    expect((await store.increment("a")).totalHits).toBe(3);
    await store.resetKey("a");
    expect((await store.increment("a")).totalHits).toBe(1);
    await store.resetAll();
    expect((await store.increment("b")).totalHits).toBe(1);
  });

  it("refuses a blockedKeyCacheSize that is not a non-negative integer", () => {
    expect(() => new DbStore({ db: t.db, blockedKeyCacheSize: -1 })).toThrow(/`blockedKeyCacheSize`/);
    expect(() => new DbStore({ db: t.db, blockedKeyCacheSize: 1.5 })).toThrow(TypeError);
  });
});
