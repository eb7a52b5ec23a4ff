/**
 * What a caller's key can do to the store: any string key is counted (long ones as a digest), a key PostgreSQL
 * cannot store fails for its caller alone, a key the database refuses fails for its callers alone, and stores
 * with different prefixes never share a counter.
 */
import { createHash, randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/migrate/index.js";
import { DbStore, DbStoreError } from "../../src/rate-limit/index.js";
import { rateLimitTable } from "../../src/schema/index.js";
import { rowsOf as rows } from "../../src/shared/rows.js";
import {
  closablePool,
  createServerDatabase,
  createTestDatabase,
  serverOnly,
  serverUrl,
  type TestDatabase,
} from "../support/database.js";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("rate_limit_keys", { migrated: true });
});
afterAll(() => t.close());

const storeOf = (prefix: string, options: { maxInFlight?: number } = {}) => {
  const s = new DbStore({ db: t.db, prefix, ...options });
  s.init({ windowMs: 60_000 });
  return s;
};
const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");
const storedKeys = async (prefix: string) =>
  rows(await t.db.execute(sql`select key from rate_limit where starts_with(key, ${prefix}) order by key`)).map(
    (r) => r.key as string,
  );
/** 1..n, what n concurrent increments of one key must answer. */
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const sorted = (totals: number[]) => [...totals].sort((a, b) => a - b);

describe("DbStore keys of any length", () => {
  it("stores prefix + key verbatim up to 1024 UTF-8 bytes, and longer keys as prefix + #sha256: + their digest", async () => {
    const prefix = "len:"; // 4 bytes
    const s = storeOf(prefix);
    const atLimit = "x".repeat(1020); // 4 + 1020 = 1024 bytes: verbatim
    const overLimit = "x".repeat(1021);
    const wide = "中".repeat(340); // 4 + 1020 bytes: verbatim
    const wider = "中".repeat(341); // 4 + 1023 bytes: a digest, although only 345 characters long
    const marked = "#sha256:short"; // starts with the marker: a digest, so it can never pose as another key's
    const keys = [atLimit, overLimit, wide, wider, marked, "10 KB ".repeat(1707)];
    expect((await Promise.all(keys.map((k) => s.increment(k)))).map((r) => r.totalHits)).toEqual(keys.map(() => 1));
    expect((await Promise.all(keys.map((k) => s.increment(k)))).map((r) => r.totalHits)).toEqual(keys.map(() => 2));
    const expected = [
      prefix + atLimit,
      `${prefix}#sha256:${sha256(overLimit)}`,
      prefix + wide,
      `${prefix}#sha256:${sha256(wider)}`,
      `${prefix}#sha256:${sha256(marked)}`,
      `${prefix}#sha256:${sha256(keys[5] as string)}`,
    ];
    expect((await storedKeys(prefix)).sort()).toEqual([...expected].sort());
    for (const k of expected) expect(Buffer.byteLength(k)).toBeLessThanOrEqual(1024);
  });

  it("get, decrement and resetKey find a long key where increment stored it", async () => {
    const s = storeOf("long-ops:");
    const key = randomBytes(3000).toString("base64");
    const first = await s.increment(key);
    await s.increment(key);
    await s.increment(key);
    expect(await s.get(key)).toEqual({ totalHits: 3, resetTime: first.resetTime });
    await s.decrement(key);
    expect(await s.get(key)).toEqual({ totalHits: 2, resetTime: first.resetTime });
    // A key differing in its last character only is another key.
    expect(await s.get(`${key.slice(0, -1)}!`)).toBeUndefined();
    await s.resetKey(key);
    expect(await s.get(key)).toBeUndefined();
    expect(await storedKeys("long-ops:")).toEqual([]);
  });

  it("among 2,000 concurrent legitimate increments, hostile keys fail for their own callers or are counted; every legitimate count is exact", async () => {
    const s = storeOf("attack:", { maxInFlight: 2 }); // few statements at once: large batches, each mixed
    // A counter at the top of PostgreSQL's integer range, as after 2,147,483,647 hits in one long window: its
    // next hit fails in the database (22003), for that key only.
    await s.increment("full");
    await t.db.execute(sql`update rate_limit set count = 2147483647 where key = 'attack:full'`);

    type Call = { kind: "legit" | "long" | "unstorable" | "full"; key: string };
    const calls: Call[] = [];
    for (let i = 0; i < 2000; i++) calls.push({ kind: "legit", key: `198.51.100.${i % 200}` });
    // 3,000 random characters: before keys were digested, its index entry exceeded the btree maximum (54000) and
    // failed every increment sent in the same statement.
    const longKeys = Array.from({ length: 20 }, () => randomBytes(2250).toString("base64"));
    for (const key of longKeys) calls.push({ kind: "long", key }, { kind: "long", key });
    for (const key of ["nul\u0000", "\uD800", "x\uDFFFy", "\u0000"]) calls.push({ kind: "unstorable", key });
    for (let i = 0; i < 5; i++) calls.push({ kind: "full", key: "full" });
    // Deterministic shuffle, so the hostile calls are spread through the batches.
    for (let i = calls.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [calls[i], calls[j]] = [calls[j] as Call, calls[i] as Call];
    }

    const outcomes = await Promise.allSettled(calls.map((c) => s.increment(c.key)));
    const byKind = (kind: Call["kind"]) =>
      outcomes.flatMap((o, i) => (calls[i]?.kind === kind ? [{ key: calls[i]?.key as string, o }] : []));

    const legit = byKind("legit");
    expect(
      legit.filter(({ o }) => o.status === "rejected").map(({ o }) => (o as PromiseRejectedResult).reason),
    ).toEqual([]);
    for (let k = 0; k < 200; k++) {
      const key = `198.51.100.${k}`;
      const totals = legit
        .filter((c) => c.key === key)
        .map(({ o }) => (o as PromiseFulfilledResult<{ totalHits: number }>).value.totalHits);
      expect(sorted(totals), key).toEqual(oneTo(10));
      expect((await s.get(key))?.totalHits, key).toBe(10);
    }
    for (const key of longKeys) {
      const totals = byKind("long")
        .filter((c) => c.key === key)
        .map(({ o }) => (o.status === "fulfilled" ? o.value.totalHits : o.reason));
      expect(sorted(totals)).toEqual([1, 2]);
      expect((await s.get(key))?.totalHits).toBe(2);
    }
    for (const { o } of byKind("unstorable")) {
      expect(o.status).toBe("rejected");
      expect((o as PromiseRejectedResult).reason).toBeInstanceOf(TypeError);
    }
    for (const { o } of byKind("full")) {
      expect(o.status).toBe("rejected");
      const reason = (o as PromiseRejectedResult).reason;
      expect(reason).toBeInstanceOf(DbStoreError);
      expect(reason.cause.code).toBe("22003");
    }
    const [sum] = rows(
      await t.db.execute(sql`select sum(count)::bigint::text as hits, count(*)::int as keys from rate_limit
        where starts_with(key, 'attack:')`),
    );
    // 2,000 legitimate hits + 40 long-key hits + the untouched full counter; 200 + 20 + 1 rows.
    expect(sum).toEqual({ hits: String(2000 + 40 + 2147483647), keys: 221 });
  });

  describe.runIf(serverUrl)(
    serverOnly("DbStore on a LATIN1 database (needs a PostgreSQL server: a database with its own encoding)"),
    () => {
      it("a key the database's encoding cannot hold fails for its callers alone (22P05); the others are counted exactly", async () => {
        const { url, drop } = await createServerDatabase(
          "latin1",
          "encoding 'LATIN1' lc_collate 'C' lc_ctype 'C' template template0",
        );
        const { pool, end } = closablePool({ connectionString: url, max: 4 });
        try {
          const db = drizzle(pool);
          await migrate(db);
          const s = new DbStore({ db, prefix: "latin1:", maxInFlight: 1 });
          s.init({ windowMs: 60_000 });
          const keys: string[] = [];
          for (let i = 0; i < 300; i++) keys.push(i % 50 === 7 ? `用户${i % 3}` : `client-${i % 30}-é`);
          const outcomes = await Promise.allSettled(keys.map((k) => s.increment(k)));
          for (let c = 0; c < 30; c++) {
            const key = `client-${c}-é`;
            const totals = outcomes
              .filter((o, i) => keys[i] === key && o.status === "fulfilled")
              .map((o) => (o as PromiseFulfilledResult<{ totalHits: number }>).value.totalHits);
            expect(sorted(totals), key).toEqual(oneTo(keys.filter((k) => k === key).length));
          }
          const failed = outcomes.filter((o) => o.status === "rejected") as PromiseRejectedResult[];
          expect(failed).toHaveLength(keys.filter((k) => k.startsWith("用户")).length);
          for (const f of failed) {
            expect(f.reason).toBeInstanceOf(DbStoreError);
            expect(f.reason.cause.code).toBe("22P05");
          }
          const [sum] = rows(await db.execute(sql`select sum(count)::int as hits from rate_limit`));
          expect(sum?.hits).toBe(300 - failed.length);
        } finally {
          await end();
          await drop();
        }
      });
    },
  );
});

describe("DbStore prefixes", () => {
  it("refuses a prefix that is empty, lacks the final colon, has another colon or is too long, saying why", () => {
    for (const bad of ["", "rl", "rl:api:", ":rl:", "a:b", "rl:x", `${"p".repeat(64)}:`]) {
      expect(() => new DbStore({ db: t.db, prefix: bad }), JSON.stringify(bad)).toThrow(TypeError);
    }
    expect(() => new DbStore({ db: t.db, prefix: "rl:api:" })).toThrow(
      /@be-monorepo\/db: DbStore option `prefix` must be non-empty, end with ":" and contain no other ":".*"rl:api:".*never share a counter/,
    );
    expect(() => new DbStore({ db: t.db, prefix: `${"é".repeat(32)}:` })).toThrow(/65 UTF-8 bytes.*at most 64/);
    for (const good of ["rl:", "rl-api:", "x:", `${"p".repeat(63)}:`, "ünï:"]) {
      expect(new DbStore({ db: t.db, prefix: good }).prefix).toBe(good);
    }
  });

  it('stores "rl:" and "rl-api:" keep independent counters for the same keys, and resetAll of one leaves the other', async () => {
    const rl = storeOf("rl:");
    const api = storeOf("rl-api:");
    // The keys that made "rl:" + "api:1.2.3.4" and "rl:api:" + "1.2.3.4" one row before the rule.
    await Promise.all([rl.increment("api:1.2.3.4"), rl.increment("1.2.3.4"), rl.increment("1.2.3.4")]);
    await Promise.all([api.increment("1.2.3.4"), api.increment("api:1.2.3.4"), api.increment("api:1.2.3.4")]);
    await api.increment("api:1.2.3.4");
    expect((await rl.get("api:1.2.3.4"))?.totalHits).toBe(1);
    expect((await rl.get("1.2.3.4"))?.totalHits).toBe(2);
    expect((await api.get("1.2.3.4"))?.totalHits).toBe(1);
    expect((await api.get("api:1.2.3.4"))?.totalHits).toBe(3);
    // A Better Auth row in the table, which neither store may touch.
    await t.db.insert(rateLimitTable).values({ key: "rl:ba", count: 5, lastRequest: Date.now() });

    await rl.resetAll();
    expect(await rl.get("api:1.2.3.4")).toBeUndefined();
    expect(await rl.get("1.2.3.4")).toBeUndefined();
    expect((await api.get("1.2.3.4"))?.totalHits).toBe(1);
    expect((await api.get("api:1.2.3.4"))?.totalHits).toBe(3);
    await rl.increment("x");
    await api.resetAll();
    expect(await api.get("api:1.2.3.4")).toBeUndefined();
    expect((await rl.get("x"))?.totalHits).toBe(1);
    const ba = rows(await t.db.execute(sql`select count from rate_limit where key = 'rl:ba'`));
    expect(ba).toEqual([{ count: 5 }]);
  });
});
