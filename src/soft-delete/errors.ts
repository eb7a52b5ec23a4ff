/**
 * Base class of the errors thrown by the soft-delete helpers. `name` is `"SoftDeleteError"`; `cause` holds the
 * underlying error when there is one.
 */
export class SoftDeleteError extends Error {
  override name = "SoftDeleteError";

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Thrown by `softDelete` and `restore` when they get no condition (`undefined`, or an object other than
 * `{ all: true }`), before any SQL is sent, so that a forgotten `where` can never touch a whole table. Pass a
 * drizzle condition, or `{ all: true }` when the whole table is meant.
 */
export class MissingWhereError extends SoftDeleteError {
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

/** Thrown by `softDeleteUser` when no `user` row has the given id (live or soft-deleted). Nothing is changed. */
export class UserNotFoundError extends SoftDeleteError {
  override name = "UserNotFoundError";

  /** The id that matched no user. */
  readonly userId: string;

  constructor(userId: string) {
    super(`@be-monorepo/db: softDeleteUser() found no user with id ${JSON.stringify(userId)}.`);
    this.userId = userId;
  }
}
