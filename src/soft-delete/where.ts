import { is, SQL, type SQLWrapper } from "drizzle-orm";
import { MissingWhereError } from "./errors.js";
import type { SoftDeleteWhere } from "./types.js";

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
