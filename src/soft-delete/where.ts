import { Column, getTableName, is, SQL, type SQLWrapper, Table } from "drizzle-orm";
import { MissingWhereError, SoftDeleteError } from "./errors.js";
import type { SoftDeletableTable, SoftDeleteWhere } from "./types.js";

const isSqlWrapper = (value: unknown): value is SQLWrapper =>
  is(value, SQL) ||
  (typeof value === "object" && value !== null && typeof (value as Partial<SQLWrapper>).getSQL === "function");

/**
 * Turns the `where` argument of `softDelete` / `restore` into the extra condition to apply: the condition
 * itself, or `undefined` for `{ all: true }`. Throws `MissingWhereError` for anything else.
 */
export function resolveWhere(operation: string, where: SoftDeleteWhere): SQLWrapper | undefined {
  if (isSqlWrapper(where)) return where;
  if (typeof where === "object" && where !== null && (where as { all?: unknown }).all === true) return undefined;
  throw new MissingWhereError(operation);
}

/**
 * Checks at run time what the types already demand, for callers without TypeScript: `table` is a drizzle table
 * (or alias) with a `deletedAt` column. Without this, drizzle would build SQL with an empty column.
 * @throws {SoftDeleteError} naming the helper and the table.
 */
export function checkTable(operation: string, table: SoftDeletableTable): void {
  if (is(table, Table) && is((table as { deletedAt?: unknown }).deletedAt, Column)) return;
  const name = is(table, Table) ? getTableName(table) : String(table);
  throw new SoftDeleteError(`@be-monorepo/db: ${operation}() needs a table with a deletedAt column (got ${name}).`);
}
