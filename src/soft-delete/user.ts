import { and, eq, isNull, sql } from "drizzle-orm";
import { sessionTable, userTable } from "../schema/auth.js";
import type { AnyPgDatabase } from "../shared/database.js";
import { UserNotFoundError } from "./errors.js";
import { softDelete } from "./soft-delete.js";

/** What `softDeleteUser` did. */
export interface SoftDeleteUserResult {
  /** The user row after the call; `deletedAt` is this call's time, or the earlier one if already soft-deleted. */
  user: typeof userTable.$inferSelect;
  /** Sessions of the user this call ended (those not soft-deleted before). */
  sessionsEnded: number;
}

/**
 * Soft-deletes a user and ends every session of theirs, in one transaction (a savepoint when `db` is already a
 * transaction): the `user` row gets `deleted_at = now()` unless it already has a deletion time, and each of their
 * `session` rows not yet soft-deleted gets `deleted_at = now()` and `expires_at = least(expires_at, now())`, so
 * even a Better Auth instance without `softDeletePlugin()` stops accepting those sessions. Both use the
 * transaction's `now()`, so the user and the sessions carry the same instant. Accounts are kept.
 *
 * Calling it again is harmless: the first deletion time stays, and only sessions created since are ended.
 * To let the person back in, `restore(db, userTable, eq(userTable.id, userId))`; their old sessions stay ended.
 *
 * @param db any drizzle PostgreSQL database or transaction.
 * @param userId the `user.id` to soft-delete.
 * @returns the user row after the call and the number of sessions ended.
 * @throws UserNotFoundError when no user has that id (nothing is changed).
 * @throws TypeError when `userId` is not a non-empty string (rejected, before any SQL).
 *
 * @example const { sessionsEnded } = await softDeleteUser(db, userId);
 */
export async function softDeleteUser(db: AnyPgDatabase, userId: string): Promise<SoftDeleteUserResult> {
  if (typeof userId !== "string" || userId === "") {
    throw new TypeError(`@be-monorepo/db: softDeleteUser() needs a user id string (got ${typeof userId})`);
  }
  return db.transaction(async (tx) => {
    let [user] = await softDelete(tx, userTable, eq(userTable.id, userId));
    if (!user) {
      [user] = await tx.select().from(userTable).where(eq(userTable.id, userId)).for("update");
      if (!user) throw new UserNotFoundError(userId);
    }
    const ended = await tx
      .update(sessionTable)
      .set({ deletedAt: sql`now()`, expiresAt: sql`least(${sessionTable.expiresAt}, now())` })
      .where(and(eq(sessionTable.userId, userId), isNull(sessionTable.deletedAt)))
      .returning({ id: sessionTable.id });
    return { user, sessionsEnded: ended.length };
  });
}
