import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { migrate, migrationStatus, migrationsFolder } from "../../../src/migrate/index.js";
import type { BehaviourCase } from "./index.js";
import { rawRows } from "./rows.js";

/** Tags of the shipped migrations, in journal order. */
export const shippedTags = (
  JSON.parse(readFileSync(join(migrationsFolder, "meta", "_journal.json"), "utf8")) as { entries: { tag: string }[] }
).entries.map((entry) => entry.tag);

/** `migrate()` from scratch (several callers at once), again as a no-op, and `migrationStatus` before and after. */
export const migrateCase: BehaviourCase = ({ makeDb }) => {
  describe("migrate()", () => {
    it("applies every migration once from scratch with three callers at once, then does nothing", async () => {
      const fresh = await makeDb();
      try {
        const before = await migrationStatus(fresh.db);
        expect(before.applied).toEqual([]);
        expect(before.pending.map((m) => m.tag)).toEqual(shippedTags);

        const results = await Promise.all([migrate(fresh.db), migrate(fresh.db), migrate(fresh.db)]);
        const counts = results.map((r) => r.applied.length);
        expect(counts.sort()).toEqual([0, 0, shippedTags.length]);
        const first = results.find((r) => r.applied.length > 0);
        expect(first?.applied.map((m) => m.tag)).toEqual(shippedTags);

        expect((await migrate(fresh.db)).applied).toEqual([]);
        const after = await migrationStatus(fresh.db);
        expect(after.pending).toEqual([]);
        expect(after.applied.map((m) => m.tag)).toEqual(shippedTags);
        const [history] = await rawRows(fresh.db, sql`select count(*)::int as n from drizzle.__be_db_migrations`);
        expect(Number(history?.n)).toBe(shippedTags.length);
      } finally {
        await fresh.close();
      }
    });
  });
};
