import { driverError, driverMessage } from "../shared/driver-error.js";

/**
 * Thrown (as a rejected promise) by every `DbStore` method when the database fails: the connection is gone,
 * the pool was ended, the `rate_limit` table or one of its columns is missing, a statement timed out; and by
 * `increment` when `maxQueueSize` increments are already waiting or `shutdown` gave up on it.
 *
 * - `operation`: the `DbStore` method that failed (`"increment"`, `"get"`, `"decrement"`, `"resetKey"`,
 *   `"resetAll"`, `"prune"`, `"shutdown"`).
 * - `cause`: the driver's error, unchanged (node-postgres and postgres.js errors carry PostgreSQL's `code`, for
 *   example `42P01` for a missing table), or an `Error` of this package when no statement failed (queue full,
 *   shutdown). Drizzle's `DrizzleQueryError` wrapper is taken off: its message repeats the statement's
 *   parameters, which would put every key of a batch into logs.
 *
 * A failed `increment` never answers with a made-up count. Its hit is not counted when PostgreSQL reported the
 * failure (`cause.code` is PostgreSQL's SQLSTATE: `statement_timeout` 57014, `lock_timeout` 55P03, a
 * terminated backend 57P01, a deadlock 40P01 after the retries, an error of one key such as 22003): PostgreSQL
 * rolled the statement back. Nor when it was never sent (queue full; shut down while queued; the pool gave no
 * connection or was ended). It MAY have been counted when the client stopped waiting while the statement could
 * still run: node-postgres's client-side `query_timeout`, a connection lost mid-statement, `shutdown` giving up
 * while its statement ran.
 */
export class DbStoreError extends Error {
  override readonly name = "DbStoreError";
  readonly operation: string;

  constructor(operation: string, error: unknown) {
    super(`@be-monorepo/db DbStore.${operation} failed: ${driverMessage(error)}`, { cause: driverError(error) });
    this.operation = operation;
  }
}
