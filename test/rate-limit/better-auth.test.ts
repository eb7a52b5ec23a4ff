import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DbStore } from "../../src/rate-limit/index.js";
import { authSchema } from "../../src/schema/index.js";
import { rowsOf as rows } from "../../src/shared/rows.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("rate_limit_better_auth", { migrated: true });
});
afterAll(() => t.close());

/**
 * Better Auth 1.7's database rate limiter, whenever one of its windows restarts, deletes every row of its model
 * whose `lastRequest` is older than its longest window, whatever the key. Its built-in rules always include a
 * 60-second window, so that clean-up cannot be made to look at a shorter span. Better Auth's limiter reads the time
 * only through `Date.now()` (its `lastRequest` values and the clean-up's cut-off), so this test moves a fake `Date`
 * ahead (59 s: nothing removed yet; then 70 s: the idle row is removed) instead of waiting. Timers stay real, and DbStore's windows follow the database's clock, which does not
 * move: its 15-minute window is the same before and after.
 */
describe("DbStore sharing rate_limit with Better Auth's database rate limiter", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("keeps a running DbStore window intact when Better Auth's clean-up runs after its longest window", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    const auth = betterAuth({
      baseURL: "http://localhost:3000",
      secret: "a-test-secret-that-is-long-enough-0123456789",
      database: drizzleAdapter(t.db, { provider: "pg", schema: authSchema }),
      rateLimit: { enabled: true, storage: "database", window: 10, max: 100 },
    });
    const call = (path: string) =>
      auth.handler(
        new Request(`http://localhost:3000/api/auth${path}`, { headers: { "x-forwarded-for": "203.0.113.7" } }),
      );

    const store = new DbStore({ db: t.db });
    store.init({ windowMs: 15 * 60_000 });
    await store.increment("client");
    await store.increment("client");
    const third = await store.increment("client");
    expect(third.totalHits).toBe(3);

    expect((await call("/ok")).status).toBe(200);
    await call("/get-session");
    const baRows = () =>
      t.db.execute(sql`select key, count from rate_limit where window_start is null order by key`).then(rows);
    const before = await baRows();
    expect(before).toHaveLength(2);

    // 59 s later /ok's 10-second window restarts and the clean-up runs, but nothing is older than 60 s yet.
    vi.setSystemTime(Date.now() + 59_000);
    expect((await call("/ok")).status).toBe(200);
    expect(await baRows(), "nothing is older than Better Auth's longest window yet").toHaveLength(2);

    // 70 s after the first calls /ok's window restarts again: Better Auth deletes rows whose lastRequest < now − 60 s.
    vi.setSystemTime(Date.now() + 11_000);
    expect((await call("/ok")).status).toBe(200);
    const after = await baRows();
    expect(after, "Better Auth's clean-up ran: its idle /get-session row is gone").toHaveLength(1);
    expect(String(after[0]?.key)).toContain("/ok");

    expect(await store.get("client")).toEqual({ totalHits: 3, resetTime: third.resetTime });
    expect(await store.increment("client")).toEqual({ totalHits: 4, resetTime: third.resetTime });
  });
});
