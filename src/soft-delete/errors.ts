import { driverError, driverMessage } from "../shared/driver-error.js";

/** The soft-delete helpers that talk to the database, as named in their errors' `operation`. */
export type SoftDeleteOperation = "softDelete" | "restore" | "purgeDeleted" | "softDeleteUser";

/**
 * Thrown (as a rejected promise) by `softDelete`, `restore`, `purgeDeleted` and `softDeleteUser` when the
 * database fails: the connection is gone, a statement timed out, a table or column is missing, a foreign key
 * without a cascade refuses a purge. The message reads `@be-monorepo/db: <operation>() failed: <driver message>`.
 *
 * - `operation`: the helper that failed.
 * - `cause`: the driver's error, unchanged (node-postgres, postgres.js and PGlite errors carry PostgreSQL's
 *   SQLSTATE in `code`, for example `23503` for a foreign key violation). Drizzle's `DrizzleQueryError` wrapper
 *   is taken off: its message repeats the statement's parameters.
 *
 * Bad arguments are not database failures: they throw a `TypeError` before any SQL is sent.
 */
export class SoftDeleteError extends Error {
  override name = "SoftDeleteError";

  /** The helper that failed. */
  readonly operation: SoftDeleteOperation;

  constructor(operation: SoftDeleteOperation, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.operation = operation;
  }
}

/** The `SoftDeleteError` for a database failure of `operation`, with the driver's error as `cause`. */
export function databaseFailure(operation: SoftDeleteOperation, error: unknown): SoftDeleteError {
  return new SoftDeleteError(operation, `@be-monorepo/db: ${operation}() failed: ${driverMessage(error)}`, {
    cause: driverError(error),
  });
}

/**
 * Thrown by `softDelete` and `restore` when they get no condition (`undefined`, or an object other than a drizzle
 * condition or `{ all: true }`), before any SQL is sent, so that a forgotten `where` can never touch a whole
 * table. `{ all: true }` counts only as an own property of the object passed: an `all` inherited from a prototype
 * (`Object.create({ all: true })`, or a polluted `Object.prototype`) is refused too. A `TypeError` (a bad
 * argument), with `name` `"MissingWhereError"`.
 */
export class MissingWhereError extends TypeError {
  override name = "MissingWhereError";

  /** The helper that refused the call: `"softDelete"` or `"restore"`. */
  readonly operation: string;

  constructor(operation: string) {
    super(
      `@be-monorepo/db: ${operation}() needs a where condition; pass { all: true } to act on every row of the table on purpose.`,
    );
    this.operation = operation;
  }
}

/**
 * Thrown by `softDeleteUser` when no `user` row has the given id (live or soft-deleted). Nothing is changed.
 * A runtime error (the id is well formed, the database answered): a `SoftDeleteError` without a `cause`.
 */
export class UserNotFoundError extends SoftDeleteError {
  override name = "UserNotFoundError";

  /** The id that matched no user. */
  readonly userId: string;

  constructor(userId: string) {
    super("softDeleteUser", `@be-monorepo/db: softDeleteUser() found no user with id ${JSON.stringify(userId)}.`);
    this.userId = userId;
  }
}
