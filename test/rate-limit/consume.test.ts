/**
 * `DbStore` as Better Auth's `rateLimit.customStorage` (`consume`), on the real PostgreSQL and the real Better
 * Auth.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/migrate/index.js";
import { DbStore } from "../../src/rate-limit/index.js";
import { authSchema } from "../../src/schema/index.js";
import { rowsOf } from "../../src/shared/rows.js";
import { quickPassword } from "../better-auth/soft-delete-auth.js";
import { createTestDatabase, serverOnly, serverUrl, type TestDatabase } from "../support/database.js";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("rate_limit_consume");
  await migrate(t.db);
});
afterAll(() => t.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const row = async (key: string) =>
  rowsOf(
    await t.db.execute(
      sql`select "count", "window_start", "last_request", "id",
        (floor(extract(epoch from clock_timestamp()) * 1000))::bigint as now_ms
      from rate_limit where key = ${key}`,
    ),
  )[0];

describe("DbStore.consume with the real Better Auth (rateLimit.customStorage)", () => {
  it("answers 429 with X-Retry-After to the 4th sign-in of max 3, and counts in rate_limit under the prefix", async () => {
    const store = new DbStore({ db: t.db, prefix: "ba:" });
    const auth = betterAuth({
      baseURL: "http://localhost:3000",
      secret: "a-test-secret-of-at-least-thirty-two-characters",
      database: drizzleAdapter(t.db, { provider: "pg", schema: authSchema }),
      emailAndPassword: { enabled: true, password: quickPassword },
      rateLimit: { enabled: true, window: 60, max: 100, customStorage: store },
      advanced: { ipAddress: { ipAddressHeaders: ["x-forwarded-for"] } },
    });
    const email = `${randomUUID()}@example.com`;
    const password = "correct horse battery";
    const request = (path: string, body: unknown, ip: string) =>
      auth.handler(
        new Request(`http://localhost:3000/api/auth${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-forwarded-for": ip },
          body: JSON.stringify(body),
        }),
      );
    expect((await request("/sign-up/email", { email, password, name: "Ada" }, "198.51.100.1")).status).toBe(200);

    const responses: Response[] = [];
    for (let i = 0; i < 4; i++) responses.push(await request("/sign-in/email", { email, password }, "203.0.113.7"));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    // Better Auth's own rule for /sign-in/*: 3 per 10 seconds; the retry is what is left of the window.
    const retry = Number(responses[3]?.headers.get("x-retry-after"));
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(10);

    const stored = await row("ba:203.0.113.7|/sign-in/email");
    expect(Number(stored?.count), "the denied 4th call was not counted").toBe(3);
    expect(Number(stored?.last_request) - Number(stored?.window_start)).toBe(10_000);
    // Another address has its own counter.
    expect((await request("/sign-in/email", { email, password }, "203.0.113.8")).status).toBe(200);
  });

  it("allows exactly max of 200 concurrent calls on one key; the denied ones get the window's rest", async () => {
    const store = new DbStore({ db: t.db, prefix: "c200:" });
    const results = await Promise.all(Array.from({ length: 200 }, () => store.consume("hot", { window: 30, max: 10 })));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    for (const r of results) {
      if (r.allowed) expect(r.retryAfter).toBeNull();
      else {
        expect(r.retryAfter).toBeGreaterThanOrEqual(1);
        expect(r.retryAfter).toBeLessThanOrEqual(30);
      }
    }
    expect(Number((await row("c200:hot"))?.count)).toBe(10);
  });

  it("keeps keys and rules apart within one coalesced statement", async () => {
    const store = new DbStore({ db: t.db, prefix: "mix:" });
    const calls = [
      ...Array.from({ length: 30 }, (_, i) => store.consume(`k${i % 3}`, { window: 30, max: 4 })),
      ...Array.from({ length: 6 }, () => store.consume("k0", { window: 30, max: 5 })),
    ];
    const results = await Promise.all(calls);
    const allowedOf = (from: number, to: number, key: (i: number) => boolean) =>
      results.slice(from, to).filter((r, i) => key(i) && r.allowed).length;
    expect(allowedOf(0, 30, (i) => i % 3 === 1)).toBe(4);
    expect(allowedOf(0, 30, (i) => i % 3 === 2)).toBe(4);
    // k0 is one counter whatever the rule a call brings: 4 under max 4, then 1 more under max 5.
    expect(allowedOf(0, 30, (i) => i % 3 === 0) + allowedOf(30, 36, () => true)).toBe(5);
    expect(Number((await row("mix:k0"))?.count)).toBe(5);
  });

  it("changes nothing on a denied call, and starts a new window once the window is over (database clock)", async () => {
    const store = new DbStore({ db: t.db, prefix: "w:" });
    const rule = { window: 1, max: 2 };
    expect(await store.consume("a", rule)).toEqual({ allowed: true, retryAfter: null });
    expect(await store.consume("a", rule)).toEqual({ allowed: true, retryAfter: null });
    const before = await row("w:a");
    const denied = await store.consume("a", rule);
    expect(denied).toEqual({ allowed: false, retryAfter: 1 });
    const after = await row("w:a");
    expect({ ...after, now_ms: 0 }).toEqual({ ...before, now_ms: 0 });
    // Wait until the database clock is past the window's end (plus 50 ms of margin).
    await sleep(Math.max(0, Number(after?.last_request) - Number(after?.now_ms)) + 50);
    expect(await store.consume("a", rule)).toEqual({ allowed: true, retryAfter: null });
    const restarted = await row("w:a");
    expect(Number(restarted?.count)).toBe(1);
    expect(Number(restarted?.window_start)).toBeGreaterThanOrEqual(Number(after?.last_request));
  });

  it("takes over a Better Auth row under the same key and starts a window on it", async () => {
    await t.db.execute(
      sql`insert into rate_limit (key, count, last_request) values ('own:x', 99, (extract(epoch from now()) * 1000)::bigint)`,
    );
    const store = new DbStore({ db: t.db, prefix: "own:" });
    expect(await store.consume("x", { window: 60, max: 1 })).toEqual({ allowed: true, retryAfter: null });
    expect(Number((await row("own:x"))?.count)).toBe(1);
  });

  it("refuses a bad rule or key with a TypeError naming the package", async () => {
    const store = new DbStore({ db: t.db });
    await expect(store.consume("k", { window: 0, max: 1 })).rejects.toThrow(/@be-monorepo\/db: .*`window`/);
    await expect(store.consume("k", { window: Number.NaN, max: 1 })).rejects.toThrow(TypeError);
    await expect(store.consume("k", { window: 10, max: 1.5 })).rejects.toThrow(/`max` must be a non-negative integer/);
    await expect(store.consume("a\u0000b", { window: 10, max: 1 })).rejects.toThrow(TypeError);
  });
});

const child = fileURLToPath(new URL("./fixtures/consume-child.ts", import.meta.url));
const run = promisify(execFile);

describe.runIf(serverUrl)(serverOnly("DbStore.consume racing another transaction that creates the key"), () => {
  it("sends the calls again when another transaction created the row meanwhile: each call counted once", async () => {
    const other = new pg.Client({ connectionString: t.url });
    await other.connect();
    try {
      await other.query("begin");
      await other.query(
        `insert into rate_limit (key, count, window_start, last_request)
         select 'race:k', 1, n, n + 60000 from (select (floor(extract(epoch from now()) * 1000))::bigint as n) as x`,
      );
      const store = new DbStore({ db: t.db, prefix: "race:" });
      // Reads no row (the insert is not committed), then waits on the other transaction's row to insert its own.
      const pending = store.consume("k", { window: 60, max: 2 });
      await sleep(300);
      await other.query("commit");
      expect(await pending).toEqual({ allowed: true, retryAfter: null });
      expect(Number((await row("race:k"))?.count), "1 from the other transaction + 1, not overwritten").toBe(2);
      expect((await store.consume("k", { window: 60, max: 2 })).allowed).toBe(false);
    } finally {
      await other.end();
    }
  });
});

describe.runIf(serverUrl)(serverOnly("DbStore.consume across processes"), () => {
  it("4 processes × 50 concurrent calls of max 10 on one key: exactly 10 allowed in all", async () => {
    if (!t.url) throw new Error("this test needs a PostgreSQL server");
    const outputs = await Promise.all(
      Array.from({ length: 4 }, () =>
        run(process.execPath, ["--import", "tsx", child, t.url as string, "cproc:", "shared", "50", "10"], {
          cwd: process.cwd(),
        }),
      ),
    );
    const allowed = outputs.map(({ stdout }) => JSON.parse(stdout) as number);
    expect(allowed.reduce((a, b) => a + b, 0)).toBe(10);
    expect(Number((await row("cproc:shared"))?.count)).toBe(10);
  }, 60_000);
});
