import { Column, getTableName, is, SQL, type SQLWrapper, Table } from "drizzle-orm";
import { MissingWhereError } from "./errors.js";
import type { SoftDeletableTable, SoftDeleteWhere } from "./types.js";

const isSqlWrapper = (value: unknown): value is SQLWrapper =>
  is(value, SQL) ||
  (typeof value === "object" && value !== null && typeof (value as Partial<SQLWrapper>).getSQL === "function");

/**
 * Turns the `where` argument of `softDelete` / `restore` into the extra condition to apply: the condition
 * itself, or `undefined` for `{ all: true }`. Only an own `all` property counts: an inherited one (from
 * `Object.create({ all: true })` or a polluted `Object.prototype`) must not turn a call into a whole-table one.
 * @throws {MissingWhereError} for anything else.
 */
export function resolveWhere(operation: string, where: SoftDeleteWhere): SQLWrapper | undefined {
  if (isSqlWrapper(where)) return where;
  if (typeof where === "object" && where !== null && Object.hasOwn(where, "all") && where.all === true) {
    return undefined;
  }
  throw new MissingWhereError(operation);
}

/**
 * Checks at run time what the types already demand, for callers without TypeScript: `table` is a drizzle table
 * (or alias) with a `deletedAt` column. Without this, drizzle would build SQL with an empty column.
 * @throws {TypeError} naming the helper and the table.
 */
export function checkTable(operation: string, table: SoftDeletableTable): void {
  if (is(table, Table) && is((table as { deletedAt?: unknown }).deletedAt, Column)) return;
  const name = is(table, Table) ? getTableName(table) : String(table);
  throw new TypeError(`@be-monorepo/db: ${operation}() needs a table with a deletedAt column (got ${name}).`);
}

/**
 * Checks that `db` looks like a drizzle PostgreSQL database or transaction (it has `select`, `update`,
 * `delete` and `transaction`), so that a missing or wrong first argument is a clear `TypeError` instead of
 * "cannot read properties of undefined".
 * @throws {TypeError} naming the helper.
 */
export function checkDatabase(operation: string, db: unknown): void {
  const candidate = db as Record<string, unknown> | null | undefined;
  if (
    typeof candidate === "object" &&
    candidate !== null &&
    ["select", "update", "delete", "transaction"].every((method) => typeof candidate[method] === "function")
  ) {
    return;
  }
  throw new TypeError(
    `@be-monorepo/db: ${operation}() needs a drizzle PostgreSQL database or transaction as db (got ${db === null ? "null" : typeof db}).`,
  );
}
