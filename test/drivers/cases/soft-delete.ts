import { and, eq, inArray, type SQL } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  notDeleted,
  onlyDeleted,
  purgeDeleted,
  restore,
  softDelete,
  softDeleteUser,
} from "../../../src/soft-delete/index.js";
import type { BehaviourCase } from "./index.js";
import { countWhere, insertUserWithChildren } from "./rows.js";

/** The soft-delete helpers: deletion times are Dates from the database clock, filters, restore and purge. */
export const softDeleteCase: BehaviourCase = (context) => {
  describe("soft delete", () => {
    const { tables } = context;
    const { userTable, sessionTable } = tables;
    // The static tables are softDeleteUser's default; placed ones are given as the adapter's schema.
    const softDeleteUserOptions = tables.migrateOptions.pgSchema ? { schema: tables.authSchema } : undefined;
    it("soft-deletes once, filters, restores", async () => {
      const { db } = context;
      const { userId } = await insertUserWithChildren(db, tables);
      const [first] = await softDelete(db, userTable, eq(userTable.id, userId));
      expect(first?.deletedAt).toBeInstanceOf(Date);
      expect(Math.abs((first?.deletedAt?.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
      expect(await softDelete(db, userTable, eq(userTable.id, userId))).toEqual([]);
      expect(await countWhere(db, userTable, and(eq(userTable.id, userId), notDeleted(userTable)) as SQL)).toBe(0);
      const deleted = await db.select().from(userTable).where(onlyDeleted(userTable));
      expect(deleted.map((row) => row.id)).toContain(userId);
      expect(deleted.find((row) => row.id === userId)?.deletedAt?.getTime()).toBe(first?.deletedAt?.getTime());
      const [back] = await restore(db, userTable, eq(userTable.id, userId));
      expect(back?.deletedAt).toBeNull();
    });

    it("softDeleteUser ends the sessions in one transaction; purgeDeleted hard-deletes with cascade", async () => {
      const { db } = context;
      const { userId, sessionIds } = await insertUserWithChildren(db, tables);
      const { sessionsEnded, user } = await softDeleteUser(db, userId, softDeleteUserOptions);
      expect(sessionsEnded).toBe(2);
      const sessions = await db.select().from(sessionTable).where(inArray(sessionTable.id, sessionIds));
      for (const session of sessions) expect(session.deletedAt?.getTime()).toBe(user.deletedAt?.getTime());
      const purged = await purgeDeleted(db, userTable, { olderThan: new Date(Date.now() + 60_000) });
      expect(purged).toBeGreaterThanOrEqual(1);
      expect(await countWhere(db, userTable, eq(userTable.id, userId))).toBe(0);
      expect(await countWhere(db, sessionTable, eq(sessionTable.userId, userId))).toBe(0);
    });
  });
};
