import { eq } from "drizzle-orm";
import { TransactionRollbackError } from "drizzle-orm/errors";
import { describe, expect, it } from "vitest";
import type { BehaviourCase } from "./index.js";
import { countWhere, someInstant, unique } from "./rows.js";

/** `db.transaction()` keeps everything on commit and nothing on a thrown error or `tx.rollback()`. */
export const transactionCase: BehaviourCase = (context) => {
  describe("transaction", () => {
    const { userTable, sessionTable } = context.tables;
    const write = async (tx: typeof context.db, email: string) => {
      const [user] = await tx.insert(userTable).values({ name: "Tx", email }).returning({ id: userTable.id });
      await tx
        .insert(sessionTable)
        .values({ token: `tx-${email}`, userId: user?.id as string, expiresAt: someInstant() });
    };

    it("keeps both rows on commit", async () => {
      const email = `commit-${unique()}@example.test`;
      await context.db.transaction((tx) => write(tx, email));
      expect(await countWhere(context.db, userTable, eq(userTable.email, email))).toBe(1);
      expect(await countWhere(context.db, sessionTable, eq(sessionTable.token, `tx-${email}`))).toBe(1);
    });

    it("keeps nothing when the callback throws, and rethrows the error", async () => {
      const email = `throw-${unique()}@example.test`;
      const boom = new Error("boom");
      await expect(
        context.db.transaction(async (tx) => {
          await write(tx, email);
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(await countWhere(context.db, userTable, eq(userTable.email, email))).toBe(0);
      expect(await countWhere(context.db, sessionTable, eq(sessionTable.token, `tx-${email}`))).toBe(0);
    });

    it("keeps nothing after tx.rollback()", async () => {
      const email = `rollback-${unique()}@example.test`;
      await expect(
        context.db.transaction(async (tx) => {
          await write(tx, email);
          tx.rollback();
        }),
      ).rejects.toBeInstanceOf(TransactionRollbackError);
      expect(await countWhere(context.db, userTable, eq(userTable.email, email))).toBe(0);
    });
  });
};
