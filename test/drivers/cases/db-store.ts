import { describe, expect, it } from "vitest";
import { DbStore } from "../../../src/rate-limit/index.js";
import type { BehaviourCase } from "./index.js";
import { unique } from "./rows.js";

/** DbStore on this driver: exact concurrent counts, numbers and Dates whatever the driver returns for bigint. */
export const dbStoreCase: BehaviourCase = (context) => {
  describe("DbStore", () => {
    it("counts concurrent hits exactly and answers numbers and Dates", async () => {
      const table = context.tables.rateLimitTable;
      const store = new DbStore({ db: context.db, prefix: `drv-${unique()}:`, table });
      store.init({ windowMs: 60_000 });
      const hits = await Promise.all(Array.from({ length: 50 }, () => store.increment("hot")));
      expect(hits.map((hit) => hit.totalHits).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
      const info = await store.get("hot");
      expect(info?.totalHits).toBe(50);
      expect(typeof info?.totalHits).toBe("number");
      expect(info?.resetTime).toBeInstanceOf(Date);
      expect(Math.abs((info?.resetTime.getTime() ?? 0) - (Date.now() + 60_000))).toBeLessThan(30_000);
      await store.decrement("hot");
      expect((await store.get("hot"))?.totalHits).toBe(49);
      await store.resetKey("hot");
      expect(await store.get("hot")).toBeUndefined();
      await store.increment("other");
      await store.resetAll();
      expect(await store.get("other")).toBeUndefined();
    });

    it("consume (Better Auth's customStorage): exactly max of concurrent calls, numbers for retryAfter", async () => {
      const store = new DbStore({ db: context.db, prefix: `drv-${unique()}:`, table: context.tables.rateLimitTable });
      const results = await Promise.all(Array.from({ length: 30 }, () => store.consume("hot", { window: 60, max: 7 })));
      expect(results.filter((r) => r.allowed)).toHaveLength(7);
      for (const r of results.filter((x) => !x.allowed)) {
        expect(typeof r.retryAfter).toBe("number");
        expect(r.retryAfter).toBeGreaterThanOrEqual(1);
        expect(r.retryAfter).toBeLessThanOrEqual(60);
      }
    });

    it("a lockout, the sliding window and the token bucket answer exact numbers and Dates", async () => {
      const lockout = new DbStore({
        db: context.db,
        prefix: `drv-${unique()}:`,
        blockDurationMs: 120_000,
        table: context.tables.rateLimitTable,
      });
      lockout.init({ windowMs: 60_000, limit: 2 });
      const locked = await Promise.all(Array.from({ length: 5 }, () => lockout.increment("k")));
      expect(locked.map((x) => x.totalHits).sort()).toEqual([1, 2, 3, 4, 5]);
      const blockEnd = Math.max(...locked.map((x) => x.resetTime.getTime()));
      expect(blockEnd - Date.now()).toBeGreaterThan(90_000);

      const sliding = new DbStore({
        db: context.db,
        prefix: `drv-${unique()}:`,
        algorithm: "sliding-window",
        table: context.tables.rateLimitTable,
      });
      sliding.init({ windowMs: 60_000, limit: 10 });
      const slid = await Promise.all(Array.from({ length: 20 }, () => sliding.increment("k")));
      expect(slid.map((x) => x.totalHits).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(await sliding.get("k")).toEqual({ totalHits: 20, resetTime: slid[0]?.resetTime });
      expect((await sliding.consume("c", { window: 60, max: 1 })).allowed).toBe(true);
      expect((await sliding.consume("c", { window: 60, max: 1 })).allowed).toBe(false);

      const bucket = new DbStore({
        db: context.db,
        prefix: `drv-${unique()}:`,
        algorithm: "token-bucket",
        table: context.tables.rateLimitTable,
      });
      bucket.init({ windowMs: 60_000, limit: 10 });
      const taken = await Promise.all(Array.from({ length: 12 }, () => bucket.increment("k")));
      expect(taken.map((x) => x.totalHits).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 11]);
      const info = await bucket.get("k");
      expect(info?.totalHits).toBe(10);
      expect(info?.resetTime).toBeInstanceOf(Date);
    });
  });
};
