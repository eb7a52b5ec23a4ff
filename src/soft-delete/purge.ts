import { and, lt, sql } from "drizzle-orm";
import type { AnyPgDatabase } from "../shared/database.js";
import { databaseFailure } from "./errors.js";
import type { SoftDeletableTable } from "./types.js";
import { checkDatabase, checkTable } from "./where.js";

/** Options of `purgeDeleted`. */
export interface PurgeDeletedOptions {
  /**
   * Hard-delete rows whose `deleted_at` is strictly earlier than this instant. Required: a valid `Date` from
   * `0001-01-01T00:00:00.000Z` to `9999-12-31T23:59:59.999Z` (the instants drizzle can send to a `timestamptz`).
   */
  olderThan: Date;
  /** Rows deleted per statement, a positive integer. Defaults to `1000`. */
  batchSize?: number;
  /** Called after each batch with the number of rows that batch deleted (never 0). Defaults to none. */
  onBatch?: (deleted: number) => void;
}

// drizzle's delete builder cannot be typed against a table type parameter; the public signature carries the types.
// biome-ignore lint/suspicious/noExplicitAny: see above.
type LooseDelete = any;

/**
 * Hard-deletes (`DELETE`) the rows of `table` soft-deleted before `olderThan`, in batches of at most `batchSize`
 * rows, one statement per batch, until a batch finds fewer rows than `batchSize`. Live rows and rows deleted at or
 * after `olderThan` are never touched.
 *
 * Each batch is `DELETE … WHERE deleted_at < $olderThan AND ctid = ANY(ARRAY(SELECT ctid … WHERE deleted_at <
 * $olderThan LIMIT $batchSize))`: PostgreSQL finds the batch by physical row id (a TID scan), so it needs no
 * primary key, and the outer `deleted_at` test is re-checked on rows changed concurrently, so a row restored while
 * the purge runs is kept. With a pool each batch commits on its own (short locks); inside a transaction
 * (`db.transaction(tx => purgeDeleted(tx, …))`) all batches commit or roll back together.
 *
 * Foreign keys apply as declared: purging `user` rows deletes their `session` and `account` rows
 * (`ON DELETE CASCADE`); those cascaded rows are not counted.
 *
 * @returns the number of rows of `table` deleted.
 * @throws TypeError when `options.olderThan` is not a valid `Date` in the range above, `options.batchSize` not a
 *   positive integer or `options.onBatch` not a function, or `db` / `table` are not what the types say (nothing
 *   is deleted, no SQL is sent).
 * @throws SoftDeleteError when the database fails (such as a foreign key without a cascade; `cause`: the driver's
 *   error). With a pool, the batches committed before the failure stay deleted.
 *   An error thrown by `onBatch` propagates unchanged and stops the purge after the batch it was called for.
 *
 * @example await purgeDeleted(db, userTable, { olderThan: new Date(Date.now() - 30 * 24 * 60 * 60 * 1000) });
 */
export async function purgeDeleted(
  db: AnyPgDatabase,
  table: SoftDeletableTable,
  options: PurgeDeletedOptions,
): Promise<number> {
  checkDatabase("purgeDeleted", db);
  checkTable("purgeDeleted", table);
  const { olderThan, batchSize = 1000, onBatch } = options ?? ({} as PurgeDeletedOptions);
  checkOlderThan(olderThan);
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new TypeError(
      `@be-monorepo/db: purgeDeleted() options.batchSize must be a positive integer (got ${String(batchSize)}).`,
    );
  }
  if (onBatch !== undefined && typeof onBatch !== "function") {
    throw new TypeError(`@be-monorepo/db: purgeDeleted() options.onBatch must be a function (got ${typeof onBatch}).`);
  }
  const older = lt(table.deletedAt, olderThan);
  let total = 0;
  for (;;) {
    let deleted: unknown[];
    try {
      deleted = await (db.delete(table) as LooseDelete)
        .where(and(older, sql`ctid = any(array(select ctid from ${table} where ${older} limit ${batchSize}))`))
        .returning({ one: sql`1` });
    } catch (error) {
      throw databaseFailure("purgeDeleted", error);
    }
    if (deleted.length > 0) {
      total += deleted.length;
      onBatch?.(deleted.length);
    }
    if (deleted.length < batchSize) return total;
  }
}

/** The instants drizzle can send to a `timestamptz`: `toISOString()` has a four-digit year only in this range. */
const firstInstant = new Date("0001-01-01T00:00:00.000Z").getTime();
const lastInstant = new Date("9999-12-31T23:59:59.999Z").getTime();

function checkOlderThan(olderThan: unknown): asserts olderThan is Date {
  if (!(olderThan instanceof Date) || Number.isNaN(olderThan.getTime())) {
    const got = olderThan instanceof Date ? "Invalid Date" : typeof olderThan;
    throw new TypeError(`@be-monorepo/db: purgeDeleted() options.olderThan must be a valid Date (got ${got}).`);
  }
  const time = olderThan.getTime();
  if (time < firstInstant || time > lastInstant) {
    throw new TypeError(
      `@be-monorepo/db: purgeDeleted() options.olderThan must be from 0001-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z, the range a timestamptz accepts from drizzle (got ${olderThan.toISOString()}).`,
    );
  }
}
