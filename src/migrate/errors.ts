import { driverError } from "../shared/driver-error.js";

/**
 * Thrown by `migrate()`, `migrationStatus()` and `checkSchema()` for runtime and database failures (bad options
 * are a `TypeError` instead).
 *
 * - `migration`: the tag of the migration that failed (for example `"0002_auth_fixes"`), or `undefined` when
 *   the failure happened before any migration ran (reading the folder, taking the lock, reading the history).
 * - `cause`: the underlying error. For a failed SQL statement it is the driver's error (node-postgres,
 *   postgres.js or PGlite), with PostgreSQL's SQLSTATE in `cause.code` (drizzle's `DrizzleQueryError` wrapper is
 *   taken off).
 *
 * When `migrate()` throws, nothing it was applying is kept: every pending migration runs in one transaction.
 */
export class MigrationError extends Error {
  override readonly name: string = "MigrationError";
  readonly migration: string | undefined;

  constructor(message: string, options: { migration?: string; cause?: unknown } = {}) {
    super(message, { cause: driverError(options.cause) });
    this.migration = options.migration;
  }
}

/**
 * Thrown by `migrate()` when the database already holds some of the package's tables (for example made by the
 * same migrations under another history) but their shape matches none of the package's migrations, so they
 * cannot be adopted. Nothing was changed: no table was altered and no migration was recorded.
 *
 * - `differences`: readable sentences, one per difference, against the closest migration
 *   (for example `column user.nickname is not expected (found text NOT NULL)`). The same wording as
 *   `checkSchema()`.
 * - `migration`: the tag of the migration the tables were compared with.
 * - `hint`: what would resolve it, when the package knows (for example that the tables have the layout of Better
 *   Auth's CLI schema and `adoptFrom: "better-auth-cli"` converts them); also the message's last line. Else
 *   `undefined`.
 */
export class SchemaMismatchError extends MigrationError {
  override readonly name = "SchemaMismatchError";
  readonly differences: string[];
  readonly hint: string | undefined;

  constructor(message: string, options: { migration?: string; differences: string[]; hint?: string; cause?: unknown }) {
    super(options.hint ? `${message}\n${options.hint}` : message, options);
    this.differences = options.differences;
    this.hint = options.hint;
  }
}
