/**
 * The sliding-window counter and the token bucket of `DbStore`, each driven through the same calls as a small
 * in-memory reference model (test/rate-limit/models.ts) with real waits on short windows.
 *
 * Each call is bracketed by two readings of the database clock; the model answers for both instants, and the
 * store's answer must be one of the two (the statement's time lies between them), totals and allowed/denied
 * exactly, `resetTime` within `TOLERANCE_MS` (a window anchored at a first hit is anchored at the statement's
 * time, which the model only knows to a few milliseconds). The blocked-key cache is off here (it is tested in
 * blocked-cache.test.ts): these tests compare what the database computes. The phases sit at least 200 ms from any instant where
 * an answer changes (a quarter window or token interval away from the anchor).
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/migrate/index.js";
import { DbStore } from "../../src/rate-limit/index.js";
import { rowsOf } from "../../src/shared/rows.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { type Info, SlidingWindowModel, TokenBucketModel } from "./models.js";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("rate_limit_algorithms");
  await migrate(t.db);
});
afterAll(() => t.close());

const TOLERANCE_MS = 100;

const dbNow = async () =>
  Number(
    rowsOf(await t.db.execute(sql`select (floor(extract(epoch from clock_timestamp()) * 1000))::bigint as now`))[0]
      ?.now,
  );
const sleepUntilDb = async (at: number) => {
  const wait = at - (await dbNow());
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
};

type Answer = Info | undefined | { allowed: boolean; retryAfter: number | null };

const same = (a: Answer, b: Answer) => {
  if (a === undefined || b === undefined) return a === b;
  if ("allowed" in a || "allowed" in b) return JSON.stringify(a) === JSON.stringify(b);
  return a.totalHits === b.totalHits && Math.abs(a.resetTime - b.resetTime) < TOLERANCE_MS;
};

/** Runs one call on the store and on the model (at the clock readings before and after), and compares. */
function differential<M extends { clone(): M }>(initial: M) {
  let model = initial;
  const log: string[] = [];
  return {
    log,
    async step(label: string, store: () => Promise<Answer>, onModel: (m: M, now: number) => Answer) {
      const before = await dbNow();
      const actual = await store();
      const after = await dbNow();
      const early = model.clone();
      const late = model.clone();
      const expectEarly = onModel(early, before);
      const expectLate = onModel(late, after);
      log.push(`${label} → ${JSON.stringify(actual)}`);
      if (same(actual, expectEarly)) model = early;
      else if (same(actual, expectLate)) model = late;
      else expect(actual, `${label}: the store disagrees with the model\n${log.join("\n")}`).toEqual(expectEarly);
      return actual;
    },
  };
}

const info = (x: { totalHits: number; resetTime: Date } | undefined): Answer =>
  x && { totalHits: x.totalHits, resetTime: x.resetTime.getTime() };

describe('algorithm "sliding-window"', () => {
  it("agrees with the reference model across windows through increment and get (real waits)", async () => {
    const W = 2000;
    const store = new DbStore({ db: t.db, prefix: "sw:", blockedKeyCacheSize: 0, algorithm: "sliding-window" });
    store.init({ windowMs: W, limit: 4 });
    const d = differential(new SlidingWindowModel(W));
    const inc = (key: string) =>
      d.step(
        `increment(${key})`,
        async () => info(await store.increment(key)),
        (m, now) => m.increment(key, now),
      );
    const get = (key: string) =>
      d.step(
        `get(${key})`,
        async () => info(await store.get(key)),
        (m, now) => m.get(key, now),
      );

    const anchor = await dbNow();
    for (let i = 0; i < 4; i++) await inc("a"); // a: 1..4 in its first window
    await get("a");
    await inc("b");
    await inc("b");
    await get("nobody");
    await sleepUntilDb(anchor + W + W / 8); // a's second window, previous 4 weighs 7/8
    expect(await inc("a")).toMatchObject({ totalHits: 4 }); // floor(4 × 0.875) + 1
    await inc("a");
    await get("a");
    await inc("b");
    await sleepUntilDb(anchor + W + (5 * W) / 8); // previous weighs 3/8
    await get("a");
    await inc("a");
    await get("b");
    await sleepUntilDb(anchor + 2 * W + (3 * W) / 8); // a's third window
    await get("a");
    await inc("a");
    await get("b");
    await sleepUntilDb(anchor + 4 * W + (3 * W) / 8); // two windows idle: a starts afresh
    await get("a");
    expect(await inc("a")).toMatchObject({ totalHits: 1 });
    expect(d.log).toHaveLength(20);
  }, 30_000);

  it("agrees with the reference model through consume, with its retryAfter (real waits)", async () => {
    const W = 2000;
    const store = new DbStore({ db: t.db, prefix: "swc:", blockedKeyCacheSize: 0, algorithm: "sliding-window" });
    const d = differential(new SlidingWindowModel(W));
    const consume = (key: string) =>
      d.step(
        `consume(${key})`,
        () => store.consume(key, { window: W / 1000, max: 3 }),
        (m, now) => m.consume(key, now, 3),
      );
    const anchor = await dbNow();
    for (let i = 0; i < 5; i++) await consume("c"); // 3 allowed, 2 denied
    await sleepUntilDb(anchor + W + W / 8); // previous 3 weighs 7/8: floor(2.625) = 2, one more allowed
    expect(await consume("c")).toEqual({ allowed: true, retryAfter: null });
    expect(await consume("c")).toMatchObject({ allowed: false });
    await sleepUntilDb(anchor + W + (5 * W) / 8); // floor(3 × 3/8) = 1, 1 of this window: one more
    await consume("c");
    await consume("c");
  }, 30_000);

  it("counts every one of 200 concurrent increments of one key (1..200), and allows exactly max of 200 consumes", async () => {
    const store = new DbStore({ db: t.db, prefix: "swn:", algorithm: "sliding-window" });
    store.init({ windowMs: 60_000, limit: 10 });
    const totals = await Promise.all(Array.from({ length: 200 }, () => store.increment("hot")));
    expect(totals.map((x) => x.totalHits).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const consumed = await Promise.all(
      Array.from({ length: 200 }, () => store.consume("hot2", { window: 60, max: 10 })),
    );
    expect(consumed.filter((x) => x.allowed)).toHaveLength(10);
  });
});

describe('algorithm "token-bucket"', () => {
  it("agrees with the reference model through increment and get (real waits)", async () => {
    const W = 2000;
    const store = new DbStore({ db: t.db, prefix: "tb:", blockedKeyCacheSize: 0, algorithm: "token-bucket" });
    store.init({ windowMs: W, limit: 4 }); // 4 tokens, one back every 500 ms
    const d = differential(new TokenBucketModel(W, 4));
    const inc = (key: string) =>
      d.step(
        `increment(${key})`,
        async () => info(await store.increment(key)),
        (m, now) => m.increment(key, now),
      );
    const get = (key: string) =>
      d.step(
        `get(${key})`,
        async () => info(await store.get(key)),
        (m, now) => m.get(key, now),
      );

    const anchor = await dbNow();
    for (let i = 0; i < 6; i++) await inc("a"); // 1..4, then 5 (denied, not counted) twice
    await get("a");
    await inc("b");
    await sleepUntilDb(anchor + 750); // one token back (and a half)
    expect(await inc("a")).toMatchObject({ totalHits: 4 });
    expect(await inc("a")).toMatchObject({ totalHits: 5 });
    await get("b");
    await sleepUntilDb(anchor + 1750);
    await get("a");
    await inc("a");
    await inc("a");
    await get("b");
    await sleepUntilDb(anchor + 2 * W + 750); // the bucket is full again
    await get("a");
    expect(await inc("a")).toMatchObject({ totalHits: 1 });
  }, 30_000);

  it("agrees with the reference model through consume, with its retryAfter (real waits)", async () => {
    const W = 3000;
    const store = new DbStore({ db: t.db, prefix: "tbc:", blockedKeyCacheSize: 0, algorithm: "token-bucket" });
    const d = differential(new TokenBucketModel(W, 3));
    const consume = (key: string) =>
      d.step(
        `consume(${key})`,
        () => store.consume(key, { window: W / 1000, max: 3 }),
        (m, now) => m.consume(key, now),
      );
    const anchor = await dbNow();
    for (let i = 0; i < 4; i++) await consume("c");
    await sleepUntilDb(anchor + 1500); // one token back
    expect(await consume("c")).toEqual({ allowed: true, retryAfter: null });
    expect(await consume("c")).toMatchObject({ allowed: false });
    await sleepUntilDb(anchor + 3500);
    await consume("c");
    await consume("c");
    await consume("c");
  }, 30_000);

  it("allows exactly limit of 200 concurrent increments (1..limit, then limit + 1) and max of 200 consumes", async () => {
    const store = new DbStore({ db: t.db, prefix: "tbn:", algorithm: "token-bucket" });
    store.init({ windowMs: 60_000, limit: 10 });
    const totals = (await Promise.all(Array.from({ length: 200 }, () => store.increment("hot")))).map(
      (x) => x.totalHits,
    );
    expect(totals.filter((x) => x <= 10).sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(totals.filter((x) => x === 11)).toHaveLength(190);
    const consumed = await Promise.all(
      Array.from({ length: 200 }, () => store.consume("hot2", { window: 60, max: 10 })),
    );
    expect(consumed.filter((x) => x.allowed)).toHaveLength(10);
  });
});

describe("algorithm option", () => {
  it("refuses an unknown algorithm and a missing limit", () => {
    expect(() => new DbStore({ db: t.db, algorithm: "leaky" as "token-bucket" })).toThrow(/`algorithm` must be/);
    const store = new DbStore({ db: t.db, algorithm: "sliding-window" });
    expect(() => store.init({ windowMs: 1000 })).toThrow(/`limit`.*"sliding-window"/);
  });
});
