import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { BehaviourCase } from "./index.js";
import { countWhere, insertUserWithChildren } from "./rows.js";

/** Deleting a user deletes its sessions and accounts (`ON DELETE CASCADE`), and only its own. */
export const cascadeCase: BehaviourCase = (context) => {
  describe("cascade delete", () => {
    it("removes the user's sessions and accounts, and leaves another user's", async () => {
      const { db, tables } = context;
      const { userTable, sessionTable, accountTable } = tables;
      const gone = await insertUserWithChildren(db, tables);
      const kept = await insertUserWithChildren(db, tables);
      await db.delete(userTable).where(eq(userTable.id, gone.userId));
      expect(await countWhere(db, sessionTable, eq(sessionTable.userId, gone.userId))).toBe(0);
      expect(await countWhere(db, accountTable, eq(accountTable.userId, gone.userId))).toBe(0);
      expect(await countWhere(db, sessionTable, eq(sessionTable.userId, kept.userId))).toBe(2);
      expect(await countWhere(db, accountTable, eq(accountTable.userId, kept.userId))).toBe(1);
    });
  });
};
