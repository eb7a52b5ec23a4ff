import { and, isNotNull, isNull, sql } from "drizzle-orm";
import type { AnyPgDatabase } from "../shared/database.js";
import type { SoftDeletableTable, SoftDeleteWhere } from "./types.js";
import { checkTable, resolveWhere } from "./where.js";

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
 * @throws MissingWhereError when `where` is `undefined` or not a condition, before any SQL is sent.
 * @throws SoftDeleteError when `table` has no `deletedAt` column (only possible without TypeScript's check).
 *
 * @example await softDelete(db, userTable, eq(userTable.id, userId));
 */
export async function softDelete<T extends SoftDeletableTable>(
  db: AnyPgDatabase,
  table: T,
  where: SoftDeleteWhere,
): Promise<T["$inferSelect"][]> {
  checkTable("softDelete", table);
  const condition = resolveWhere("softDelete", where);
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
 * @throws MissingWhereError when `where` is `undefined` or not a condition, before any SQL is sent.
 * @throws SoftDeleteError when `table` has no `deletedAt` column (only possible without TypeScript's check).
 *
 * @example await restore(db, userTable, eq(userTable.id, userId));
 */
export async function restore<T extends SoftDeletableTable>(
  db: AnyPgDatabase,
  table: T,
  where: SoftDeleteWhere,
): Promise<T["$inferSelect"][]> {
  checkTable("restore", table);
  const condition = resolveWhere("restore", where);
  const rows = await (db.update(table) as LooseUpdate)
    .set({ deletedAt: null })
    .where(and(isNotNull(table.deletedAt), condition))
    .returning();
  return rows as T["$inferSelect"][];
}
