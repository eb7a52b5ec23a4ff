import { and, isNotNull, isNull, type SQLWrapper, sql } from "drizzle-orm";
import type { AnyPgDatabase } from "../shared/database.js";
import { databaseFailure } from "./errors.js";
import type { SoftDeletableTable, SoftDeleteWhere } from "./types.js";
import { checkDatabase, checkTable, resolveWhere } from "./where.js";

// drizzle's update builder cannot be typed against a table type parameter; the public signatures carry the types.
// biome-ignore lint/suspicious/noExplicitAny: see above.
type LooseUpdate = any;

/**
 * Soft-deletes the rows of `table` that match `where` and are not deleted yet: sets their `deleted_at` to the
 * database's clock (`now()`, which in PostgreSQL is the start time of the current transaction, so every row
 * deleted in one transaction gets the same instant). Rows already soft-deleted are left as they are, so a second
 * call never overwrites the first deletion time, also when two calls race (PostgreSQL re-checks
 * `deleted_at IS NULL` on the row it waited for).
 *
 * `updated_at` is set as by any drizzle `update()` (the column's `$onUpdate`, the app's clock).
 *
 * @param db any drizzle PostgreSQL database or transaction (`tx` from `db.transaction(tx => …)`).
 * @param table a table with a nullable `deletedAt` date column; others are a compile-time error.
 * @param where a drizzle condition, or `{ all: true }` to soft-delete every live row on purpose.
 * @returns the rows this call soft-deleted (as `returning()` gives them), in no particular order; `[]` when none.
 * @throws MissingWhereError (a `TypeError`) when `where` is `undefined`, not a condition, or an object whose
 *   `all: true` is not its own property, before any SQL is sent.
 * @throws TypeError when `db` is not a drizzle database or `table` has no `deletedAt` column (only possible
 *   without TypeScript's check), before any SQL is sent.
 * @throws SoftDeleteError when the database fails (`cause`: the driver's error); nothing is changed.
 *
 * @example await softDelete(db, userTable, eq(userTable.id, userId));
 */
export async function softDelete<T extends SoftDeletableTable>(
  db: AnyPgDatabase,
  table: T,
  where: SoftDeleteWhere,
): Promise<T["$inferSelect"][]> {
  checkDatabase("softDelete", db);
  checkTable("softDelete", table);
  const condition = resolveWhere("softDelete", where);
  try {
    return await softDeleteRows(db, table, condition);
  } catch (error) {
    throw databaseFailure("softDelete", error);
  }
}

/** `softDelete` after its checks, with drizzle's error unchanged: for helpers that report failures as their own. */
export async function softDeleteRows<T extends SoftDeletableTable>(
  db: AnyPgDatabase,
  table: T,
  condition: SQLWrapper | undefined,
): Promise<T["$inferSelect"][]> {
  const rows = await (db.update(table) as LooseUpdate)
    .set({ deletedAt: sql`now()` })
    .where(and(isNull(table.deletedAt), condition))
    .returning();
  return rows as T["$inferSelect"][];
}

/**
 * Restores the soft-deleted rows of `table` that match `where`: sets their `deleted_at` back to `NULL`. Live
 * rows are left as they are.
 *
 * @param db any drizzle PostgreSQL database or transaction.
 * @param table a table with a nullable `deletedAt` date column.
 * @param where a drizzle condition, or `{ all: true }` to restore every soft-deleted row on purpose.
 * @returns the rows this call restored; `[]` when none.
 * @throws MissingWhereError (a `TypeError`) when `where` is `undefined`, not a condition, or an object whose
 *   `all: true` is not its own property, before any SQL is sent.
 * @throws TypeError when `db` is not a drizzle database or `table` has no `deletedAt` column, before any SQL.
 * @throws SoftDeleteError when the database fails (`cause`: the driver's error); nothing is changed.
 *
 * @example await restore(db, userTable, eq(userTable.id, userId));
 */
export async function restore<T extends SoftDeletableTable>(
  db: AnyPgDatabase,
  table: T,
  where: SoftDeleteWhere,
): Promise<T["$inferSelect"][]> {
  checkDatabase("restore", db);
  checkTable("restore", table);
  const condition = resolveWhere("restore", where);
  try {
    const rows = await (db.update(table) as LooseUpdate)
      .set({ deletedAt: null })
      .where(and(isNotNull(table.deletedAt), condition))
      .returning();
    return rows as T["$inferSelect"][];
  } catch (error) {
    throw databaseFailure("restore", error);
  }
}
