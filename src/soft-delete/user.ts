import { and, Column, eq, is, isNull, sql, Table } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { sessionTable, userTable } from "../schema/auth.js";
import type { AnyPgDatabase } from "../shared/database.js";
import { guardedTransaction, type TransactionGuard } from "../shared/transaction.js";
import { databaseFailure, SoftDeleteError, UserNotFoundError } from "./errors.js";
import { softDeleteRows } from "./soft-delete.js";
import type { SoftDeletableTable } from "./types.js";
import { checkDatabase } from "./where.js";

/**
 * The transaction's own errors pass; any other failure (a lost connection too: never an uncaught 'error' event from
 * node-postgres) becomes the `SoftDeleteError` of a database failure.
 */
const softDeleteUserGuard: TransactionGuard = {
  passes: (error) => error instanceof SoftDeleteError,
  wrap: (cause) => databaseFailure("softDeleteUser", cause),
};

/** A `user` table wherever it lives: `userTable`, or `s.userTable` of `defineAuthSchema({ pgSchema })`. */
export type SoftDeleteUserTable = SoftDeletableTable & { readonly id: AnyPgColumn };

/** A `session` table wherever it lives: `sessionTable`, or `s.sessionTable` of `defineAuthSchema({ pgSchema })`. */
export type SoftDeleteSessionTable = SoftDeletableTable & {
  readonly id: AnyPgColumn;
  readonly userId: AnyPgColumn;
  readonly expiresAt: AnyPgColumn;
};

/** Options of `softDeleteUser`. */
export interface SoftDeleteUserOptions<U extends SoftDeleteUserTable = typeof userTable> {
  /**
   * The `user` and `session` tables to act on, keyed by Better Auth's model names: the `authSchema` given to
   * Better Auth's `drizzleAdapter` fits (`{ schema: s.authSchema }` for tables in another PostgreSQL schema;
   * drizzle names them schema-qualified, so the session's `search_path` does not matter). Defaults to the
   * package's `userTable` and `sessionTable`.
   */
  schema?: { user: U; session: SoftDeleteSessionTable };
}

/** What `softDeleteUser` did. */
export interface SoftDeleteUserResult<U extends SoftDeleteUserTable = typeof userTable> {
  /** The user row after the call; `deletedAt` is this call's time, or the earlier one if already soft-deleted. */
  user: U["$inferSelect"];
  /** Sessions of the user this call ended (those not soft-deleted before). */
  sessionsEnded: number;
}

// drizzle's builders cannot be typed against a table type parameter; the public signature carries the types.
// biome-ignore lint/suspicious/noExplicitAny: see above.
type Loose = any;

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
 * @param options.schema the `user` and `session` tables (default: the package's), see {@link SoftDeleteUserOptions}.
 * @returns the user row after the call and the number of sessions ended.
 * @throws TypeError when `userId` is not a non-empty string, contains a NUL (U+0000, which PostgreSQL's text
 *   cannot hold) or a lone surrogate (which would be stored as U+FFFD), `db` is not a drizzle database, or
 *   `options.schema` lacks a `user` or `session` table with the columns used; before any SQL.
 * @throws UserNotFoundError (a `SoftDeleteError`) when no user has that id; nothing is changed.
 * @throws SoftDeleteError when the database fails (`cause`: the driver's error); nothing is changed.
 *
 * @example const { sessionsEnded } = await softDeleteUser(db, userId);
 */
export async function softDeleteUser<U extends SoftDeleteUserTable = typeof userTable>(
  db: AnyPgDatabase,
  userId: string,
  options: SoftDeleteUserOptions<U> = {},
): Promise<SoftDeleteUserResult<U>> {
  checkDatabase("softDeleteUser", db);
  checkUserId(userId);
  const { user: users, session: sessions } = tablesOf(options);
  try {
    return await guardedTransaction(db, softDeleteUserGuard, async (tx) => {
      const [locked] = await (tx.select({ id: users.id }).from(users) as Loose)
        .where(eq(users.id, userId))
        .for("update");
      if (!locked) throw new UserNotFoundError(userId);
      let [user] = await softDeleteRows(tx, users, eq(users.id, userId));
      if (!user) [user] = await (tx.select().from(users) as Loose).where(eq(users.id, userId));
      if (!user) throw new UserNotFoundError(userId);
      const ended: unknown[] = await (tx.update(sessions) as Loose)
        .set({ deletedAt: sql`now()`, expiresAt: sql`least(${sessions.expiresAt}, now())` })
        .where(and(eq(sessions.userId, userId), isNull(sessions.deletedAt)))
        .returning({ id: sessions.id });
      return { user: user as U["$inferSelect"], sessionsEnded: ended.length };
    });
  } catch (error) {
    if (error instanceof SoftDeleteError) throw error;
    throw databaseFailure("softDeleteUser", error);
  }
}

/** The tables of `options.schema`, checked, or the package's. */
function tablesOf<U extends SoftDeleteUserTable>(
  options: SoftDeleteUserOptions<U>,
): { user: SoftDeleteUserTable; session: SoftDeleteSessionTable } {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`@be-monorepo/db: softDeleteUser() options must be an object (got ${String(options)}).`);
  }
  if (options.schema === undefined) return { user: userTable, session: sessionTable };
  const { user, session } = (options.schema ?? {}) as Partial<SoftDeleteUserOptions<U>["schema"] & object>;
  const check = (model: string, table: unknown, columns: string[]) => {
    const missing = is(table, Table)
      ? columns.filter((column) => !is((table as unknown as Record<string, unknown>)[column], Column))
      : undefined;
    if (missing?.length === 0) return;
    throw new TypeError(
      `@be-monorepo/db: softDeleteUser() options.schema.${model} must be a drizzle table with the columns ${columns.join(", ")}` +
        (missing ? ` (missing: ${missing.join(", ")}).` : ` (got ${table === null ? "null" : typeof table}).`),
    );
  };
  check("user", user, ["id", "deletedAt"]);
  check("session", session, ["id", "userId", "expiresAt", "deletedAt"]);
  return { user: user as SoftDeleteUserTable, session: session as SoftDeleteSessionTable };
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
