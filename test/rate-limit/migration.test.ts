import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, migrationsFolder } from "../../src/migrate/index.js";
import { DbStore } from "../../src/rate-limit/index.js";
import { rowsOf as rows } from "../../src/shared/rows.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { tempDir } from "../support/temp.js";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("rate_limit_migration");
});
afterAll(() => t.close());

describe("migration 0003_rate_limit_window on a database that already has rate_limit rows", () => {
  it("keeps every row with window_start NULL; DbStore restarts such a row under its key, leaves the others", async () => {
    // The migrations as they were before 0003.
    const before = tempDir("before-0003");
    cpSync(migrationsFolder, before, { recursive: true });
    const journalPath = join(before, "meta", "_journal.json");
    const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { tag: string }[] };
    journal.entries = journal.entries.filter((e) => e.tag < "0003");
    writeFileSync(journalPath, JSON.stringify(journal));
    await migrate(t.db, { migrationsFolder: before });
    await t.db.execute(sql`insert into rate_limit (key, count, last_request)
      values ('203.0.113.7|/sign-in/email', 2, 1796000000000), ('rl:old', 5, 1796000000001)`);

    const result = await migrate(t.db);
    expect(result.applied.map((m) => m.tag)).toContain("0003_rate_limit_window");
    const kept = rows(
      await t.db.execute(sql`select key, count, last_request::text as lr, window_start from rate_limit order by key`),
    );
    expect(kept).toEqual([
      { key: "203.0.113.7|/sign-in/email", count: 2, lr: "1796000000000", window_start: null },
      { key: "rl:old", count: 5, lr: "1796000000001", window_start: null },
    ]);

    const store = new DbStore({ db: t.db });
    store.init({ windowMs: 60_000 });
    expect((await store.increment("new")).totalHits).toBe(1);
    // A row from before 0003 under the store's key has no window start: its next hit starts a new window.
    expect(await store.get("old")).toBeUndefined();
    expect((await store.increment("old")).totalHits).toBe(1);
    await store.resetAll();
    const left = rows(await t.db.execute(sql`select key from rate_limit`));
    expect(left).toEqual([{ key: "203.0.113.7|/sign-in/email" }]);
  });
});
