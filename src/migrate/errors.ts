/**
 * Thrown by `migrate()` and `migrationStatus()`.
 *
 * - `migration`: the tag of the migration that failed (for example `"0002_auth_fixes"`), or `undefined` when
 *   the failure happened before any migration ran (reading the folder, taking the lock, reading the history).
 * - `cause`: the underlying error (the driver's error for a failed SQL statement, with PostgreSQL's `code`).
 *
 * When `migrate()` throws, nothing it was applying is kept: every pending migration runs in one transaction.
 */
export class MigrationError extends Error {
  override readonly name = "MigrationError";
  readonly migration: string | undefined;

  constructor(message: string, options: { migration?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.migration = options.migration;
  }
}
