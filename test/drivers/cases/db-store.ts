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
  });
};
