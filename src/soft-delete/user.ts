import { and, eq, isNull, sql } from "drizzle-orm";
import { sessionTable, userTable } from "../schema/auth.js";
import type { AnyPgDatabase } from "../shared/database.js";
import { guardedTransaction, type TransactionGuard } from "../shared/transaction.js";
import { databaseFailure, SoftDeleteError, UserNotFoundError } from "./errors.js";
import { softDeleteRows } from "./soft-delete.js";
import { checkDatabase } from "./where.js";

/**
 * The transaction's own errors pass; any other failure (a lost connection too: never an uncaught 'error' event from
 * node-postgres) becomes the `SoftDeleteError` of a database failure.
 */
const softDeleteUserGuard: TransactionGuard = {
  passes: (error) => error instanceof SoftDeleteError,
  wrap: (cause) => databaseFailure("softDeleteUser", cause),
};

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
 * The user row is locked first (`SELECT … FOR UPDATE`). That lock conflicts with the one PostgreSQL's foreign-key
 * check takes for a `session` insert, so a session being inserted for this user at the same moment either commits
 * before the sessions are ended (and is ended with them) or waits until this transaction commits (and is then
 * ended by `softDeletePlugin()`'s `session.create.after` hook): no session created concurrently survives.
 *
 * Calling it again is harmless: the first deletion time stays, and only sessions created since are ended.
 * To let the person back in, `restore(db, userTable, eq(userTable.id, userId))`; their old sessions stay ended.
 *
 * @param db any drizzle PostgreSQL database or transaction.
 * @param userId the `user.id` to soft-delete: a non-empty, well-formed string without NUL characters.
 * @returns the user row after the call and the number of sessions ended.
 * @throws TypeError when `userId` is not a non-empty string, contains a NUL (U+0000, which PostgreSQL's text
 *   cannot hold) or a lone surrogate (which would be stored as U+FFFD), or `db` is not a drizzle database; before
 *   any SQL.
 * @throws UserNotFoundError (a `SoftDeleteError`) when no user has that id; nothing is changed.
 * @throws SoftDeleteError when the database fails (`cause`: the driver's error); nothing is changed.
 *
 * @example const { sessionsEnded } = await softDeleteUser(db, userId);
 */
export async function softDeleteUser(db: AnyPgDatabase, userId: string): Promise<SoftDeleteUserResult> {
  checkDatabase("softDeleteUser", db);
  checkUserId(userId);
  try {
    return await guardedTransaction(db, softDeleteUserGuard, async (tx) => {
      const [locked] = await tx
        .select({ id: userTable.id })
        .from(userTable)
        .where(eq(userTable.id, userId))
        .for("update");
      if (!locked) throw new UserNotFoundError(userId);
      let [user] = await softDeleteRows(tx, userTable, eq(userTable.id, userId));
      if (!user) [user] = await tx.select().from(userTable).where(eq(userTable.id, userId));
      if (!user) throw new UserNotFoundError(userId);
      const ended = await tx
        .update(sessionTable)
        .set({ deletedAt: sql`now()`, expiresAt: sql`least(${sessionTable.expiresAt}, now())` })
        .where(and(eq(sessionTable.userId, userId), isNull(sessionTable.deletedAt)))
        .returning({ id: sessionTable.id });
      return { user, sessionsEnded: ended.length };
    });
  } catch (error) {
    if (error instanceof SoftDeleteError) throw error;
    throw databaseFailure("softDeleteUser", error);
  }
}

/** Refuses, before any SQL, a `userId` PostgreSQL could not compare as given. */
function checkUserId(userId: unknown): asserts userId is string {
  if (typeof userId !== "string" || userId === "") {
    const got = typeof userId === "string" ? "an empty string" : typeof userId;
    throw new TypeError(`@be-monorepo/db: softDeleteUser() userId must be a non-empty string (got ${got}).`);
  }
  const nul = userId.indexOf("\u0000");
  if (nul !== -1) {
    throw new TypeError(
      `@be-monorepo/db: softDeleteUser() userId must not contain a NUL character (U+0000, at index ${nul}): PostgreSQL text cannot hold it.`,
    );
  }
  // In a `u` regular expression, a surrogate code unit matches only when it is not half of a pair.
  const lone = /[\uD800-\uDFFF]/u.exec(userId);
  if (lone) {
    throw new TypeError(
      `@be-monorepo/db: softDeleteUser() userId must be well-formed Unicode (lone surrogate at index ${lone.index}): the driver would send U+FFFD instead.`,
    );
  }
}
