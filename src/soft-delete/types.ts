import type { ColumnBaseConfig, ColumnDataType, SQLWrapper } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";

/**
 * A nullable `deletedAt` column read as a JavaScript `Date` (or `null`): the `deleted_at timestamptz` that the
 * package's `timestamps` spread adds, or any `timestamp(…, { mode: "date" })` column without `.notNull()`.
 */
export type DeletedAtColumn = PgColumn<ColumnBaseConfig<ColumnDataType, string> & { data: Date; notNull: false }>;

/**
 * A drizzle `pgTable` that has a nullable `deletedAt` date column (`userTable`, `sessionTable`, `accountTable`,
 * `verificationTable`, or a host table that spreads `timestamps`). Tables without one, such as `rateLimitTable`,
 * are refused at compile time.
 */
export type SoftDeletableTable = PgTable & { readonly deletedAt: DeletedAtColumn };

/**
 * The explicit choice to act on every row of the table. Passing it instead of a condition is the only way to
 * call `softDelete` or `restore` without a `where`.
 */
export interface WholeTable {
  readonly all: true;
}

/**
 * Which rows `softDelete` and `restore` act on: a drizzle condition (`eq(userTable.id, id)`, `and(…)`,
 * `` sql`…` ``), or `{ all: true }` for the whole table. `undefined` (for example `and()` of no conditions) is
 * accepted by the type so that `and(…)` results can be passed straight in, and is refused at run time with a
 * `MissingWhereError`.
 */
export type SoftDeleteWhere = SQLWrapper | WholeTable | undefined;
