import { randomUUID } from "node:crypto";
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountTable, sessionTable, userTable } from "../../src/schema/index.js";
import { purgeDeleted, softDelete } from "../../src/soft-delete/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { countOfUsers, deletedTime, insertSession, insertUser } from "./fixtures.js";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("soft_delete_purge_bulk", { migrated: true });
});
afterAll(() => t.close());

const countWhere = (table: Parameters<typeof countOfUsers>[1], ids: string[]) => countOfUsers(t.db, table, ids);

describe("purgeDeleted() on 10,000 rows", () => {
  // 40,000 rows written and deleted: seconds on a quiet machine, more than the default 30 s on a loaded one.
  it("hard-deletes 10,000 soft-deleted users in bounded batches, cascading to their sessions and accounts", {
    timeout: 90_000,
  }, async () => {
    const total = 10_000;
    const ids = Array.from({ length: total }, () => randomUUID());
    for (let i = 0; i < total; i += 2_000) {
      const chunk = ids.slice(i, i + 2_000);
      await t.db.insert(userTable).values(chunk.map((id) => ({ id, name: "bulk", email: `${id}@bulk.test` })));
      await t.db
        .insert(sessionTable)
        .values(chunk.map((id) => ({ userId: id, token: `t-${id}`, expiresAt: new Date(Date.now() + 3_600_000) })));
      await t.db
        .insert(accountTable)
        .values(chunk.map((id) => ({ userId: id, accountId: id, providerId: "credential" })));
    }
    const deleted = await softDelete(t.db, userTable, inArray(userTable.id, ids));
    expect(deleted).toHaveLength(total);
    const cutoff = new Date(deletedTime(deleted[0]) + 1);
    const keeper = await insertUser(t.db);
    await insertSession(t.db, keeper.id);
    await t.db.update(userTable).set({ deletedAt: cutoff }).where(eq(userTable.id, keeper.id));
    const live = await insertUser(t.db);

    const batches: number[] = [];
    const purged = await purgeDeleted(t.db, userTable, {
      olderThan: cutoff,
      batchSize: 3_000,
      onBatch: (n) => batches.push(n),
    });

    expect(purged).toBe(total);
    expect(batches).toEqual([3_000, 3_000, 3_000, 1_000]);
    expect(await countWhere(userTable, ids)).toBe(0);
    expect(await countWhere(sessionTable, ids)).toBe(0);
    expect(await countWhere(accountTable, ids)).toBe(0);
    expect(await countWhere(userTable, [keeper.id, live.id])).toBe(2);
    expect(await countWhere(sessionTable, [keeper.id])).toBe(1);
  });
});
