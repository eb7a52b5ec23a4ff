import { driverError, driverMessage } from "../shared/driver-error.js";

/**
 * Thrown (as a rejected promise) by every `DbStore` method when the database fails: the connection is gone,
 * the pool was ended, the `rate_limit` table or one of its columns is missing, a statement timed out.
 *
 * - `operation`: the `DbStore` method that failed (`"increment"`, `"get"`, `"decrement"`, `"resetKey"`,
 *   `"resetAll"`, `"prune"`).
 * - `cause`: the driver's error, unchanged (node-postgres and postgres.js errors carry PostgreSQL's `code`, for
 *   example `42P01` for a missing table). Drizzle's `DrizzleQueryError` wrapper is taken off: its message
 *   repeats the statement's parameters, which would put every key of a batch into logs.
 *
 * A failed `increment` never answers with a made-up count: every caller whose increment was in the failed
 * statement gets this error, and none of their hits was counted (the statement is atomic).
 */
export class DbStoreError extends Error {
  override readonly name = "DbStoreError";
  readonly operation: string;

  constructor(operation: string, error: unknown) {
    super(`@be-monorepo/db DbStore.${operation} failed: ${driverMessage(error)}`, { cause: driverError(error) });
    this.operation = operation;
  }
}
