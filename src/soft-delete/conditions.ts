import { isNotNull, isNull, type SQL } from "drizzle-orm";
import type { SoftDeletableTable } from "./types.js";
import { checkTable } from "./where.js";

/**
 * `deleted_at IS NULL` for `table`: keeps live rows. Combine it with `and(…)` in a `select`, `update`,
 * `delete` or a join's `on` clause; it also works on an `alias()` of the table.
 *
 * @throws TypeError when `table` has no `deletedAt` column (only possible without TypeScript's check).
 * @example db.select().from(userTable).where(and(eq(userTable.email, email), notDeleted(userTable)))
 */
export function notDeleted(table: SoftDeletableTable): SQL {
  checkTable("notDeleted", table);
  return isNull(table.deletedAt);
}

/**
 * `deleted_at IS NOT NULL` for `table`: keeps soft-deleted rows only (Laravel's `onlyTrashed`).
 *
 * @throws TypeError when `table` has no `deletedAt` column (only possible without TypeScript's check).
 * @example db.select().from(sessionTable).where(onlyDeleted(sessionTable))
 */
export function onlyDeleted(table: SoftDeletableTable): SQL {
  checkTable("onlyDeleted", table);
  return isNotNull(table.deletedAt);
}
