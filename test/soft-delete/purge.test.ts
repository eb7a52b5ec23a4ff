import { count, eq, inArray, isNotNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionTable, userTable } from "../../src/schema/index.js";
import { purgeDeleted, softDelete } from "../../src/soft-delete/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { countOfUsers, insertSession, insertUser, insertUsers } from "./fixtures.js";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("soft_delete_purge", { migrated: true });
});
afterAll(() => t.close());

const countWhere = (table: Parameters<typeof countOfUsers>[1], ids: string[]) => countOfUsers(t.db, table, ids);

// Each test soft-deletes its rows in its own era (1980, 1990, 2000, now), so no test purges another's rows.
describe("purgeDeleted()", () => {
  it("keeps live rows and rows deleted at or after olderThan; returns 0 when nothing is due", async () => {
    const live = await insertUser(t.db);
    const old = await insertUser(t.db);
    const recent = await insertUser(t.db);
    await t.db
      .update(userTable)
      .set({ deletedAt: new Date("2000-01-01T00:00:00Z") })
      .where(eq(userTable.id, old.id));
    await t.db
      .update(userTable)
      .set({ deletedAt: new Date("2000-01-02T00:00:00Z") })
      .where(eq(userTable.id, recent.id));
    const purged = await purgeDeleted(t.db, userTable, { olderThan: new Date("2000-01-02T00:00:00Z") });
    expect(purged).toBe(1);
    expect(await countWhere(userTable, [live.id, old.id, recent.id])).toBe(2);
    expect(await purgeDeleted(t.db, userTable, { olderThan: new Date("2000-01-02T00:00:00Z") })).toBe(0);
  });

  it("purges only the table it is given (sessions) and uses the default batch size", async () => {
    const user = await insertUser(t.db);
    const sessions = await Promise.all(Array.from({ length: 3 }, () => insertSession(t.db, user.id)));
    await softDelete(
      t.db,
      sessionTable,
      inArray(
        sessionTable.id,
        sessions.map((s) => s.id),
      ),
    );
    const batches: number[] = [];
    const purged = await purgeDeleted(t.db, sessionTable, {
      olderThan: new Date(Date.now() + 60_000),
      onBatch: (n) => batches.push(n),
    });
    expect(purged).toBeGreaterThanOrEqual(3);
    expect(batches.every((n) => n > 0 && n <= 1000)).toBe(true);
    expect(await countWhere(userTable, [user.id])).toBe(1);
    const [left] = await t.db.select({ n: count() }).from(sessionTable).where(isNotNull(sessionTable.deletedAt));
    expect(left?.n).toBe(0);
  });

  it("rolls back every batch when run in a transaction that fails", async () => {
    const users = await insertUsers(t.db, 5);
    const ids = users.map((u) => u.id);
    await t.db
      .update(userTable)
      .set({ deletedAt: new Date("1990-01-01T00:00:00Z") })
      .where(inArray(userTable.id, ids));
    const error = await t.db
      .transaction(async (tx) => {
        expect(await purgeDeleted(tx, userTable, { olderThan: new Date("1990-06-01T00:00:00Z"), batchSize: 2 })).toBe(
          5,
        );
        throw new Error("stop");
      })
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe("stop");
    expect(await countWhere(userTable, ids)).toBe(5);
  });

  it("refuses bad options with a TypeError before deleting anything", async () => {
    const user = await insertUser(t.db);
    await t.db
      .update(userTable)
      .set({ deletedAt: new Date("1980-01-01T00:00:00Z") })
      .where(eq(userTable.id, user.id));
    const bad = [
      {},
      { olderThan: "2020-01-01" },
      { olderThan: new Date("nope") },
      { olderThan: new Date(), batchSize: 0 },
      { olderThan: new Date(), batchSize: 1.5 },
    ];
    for (const options of bad) {
      await expect(purgeDeleted(t.db, userTable, options as never)).rejects.toBeInstanceOf(TypeError);
    }
    expect(await countWhere(userTable, [user.id])).toBe(1);
  });
});
