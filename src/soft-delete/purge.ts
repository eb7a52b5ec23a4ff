import { and, lt, sql } from "drizzle-orm";
import type { AnyPgDatabase } from "../shared/database.js";
import { SoftDeleteError } from "./errors.js";
import type { SoftDeletableTable } from "./types.js";
import { checkTable } from "./where.js";

/** Options of `purgeDeleted`. */
export interface PurgeDeletedOptions {
  /** Hard-delete rows whose `deleted_at` is strictly earlier than this instant. Required. */
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
 * @throws SoftDeleteError when `olderThan` is not a valid `Date` or `batchSize` not a positive integer (nothing is
 *   deleted); database errors (such as a foreign key without a cascade) propagate unchanged, after the batches
 *   already committed.
 *
 * @example await purgeDeleted(db, userTable, { olderThan: new Date(Date.now() - 30 * 24 * 60 * 60 * 1000) });
 */
export async function purgeDeleted(
  db: AnyPgDatabase,
  table: SoftDeletableTable,
  options: PurgeDeletedOptions,
): Promise<number> {
  checkTable("purgeDeleted", table);
  const { olderThan, batchSize = 1000, onBatch } = options ?? ({} as PurgeDeletedOptions);
  if (!(olderThan instanceof Date) || Number.isNaN(olderThan.getTime())) {
    throw new SoftDeleteError("@be-monorepo/db: purgeDeleted() needs options.olderThan, a valid Date.");
  }
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new SoftDeleteError(
      `@be-monorepo/db: purgeDeleted() options.batchSize must be a positive integer, got ${String(batchSize)}.`,
    );
  }
  const older = lt(table.deletedAt, olderThan);
  let total = 0;
  for (;;) {
    const deleted: unknown[] = await (db.delete(table) as LooseDelete)
      .where(and(older, sql`ctid = any(array(select ctid from ${table} where ${older} limit ${batchSize}))`))
      .returning({ one: sql`1` });
    if (deleted.length > 0) {
      total += deleted.length;
      onBatch?.(deleted.length);
    }
    if (deleted.length < batchSize) return total;
  }
}
