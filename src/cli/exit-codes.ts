/**
 * Exit codes of `be-db`, one per kind of outcome, so scripts can tell them apart:
 *
 * | code | meaning |
 * | ---- | ------- |
 * | 0 | done |
 * | 1 | unexpected error (a bug: please report it) |
 * | 2 | usage: no database given (`--database-url`, `DATABASE_URL` or `--pglite`), a bad option or a usage error of the argument parser, a `--migrations-schema` / `--migrations-table` `migrate()` refuses (not an identifier of 1 to 63 bytes, or one of the package's tables), a URL query parameter node-postgres does not use or a value it does not understand, a missing driver |
 * | 3 | cannot reach the database: connection refused, unknown host, timeout, TLS refused; or the `--pglite` path is a file or cannot be created |
 * | 4 | the server refused the login: wrong password, unknown role, role may not log in (SQLSTATE class 28), or it asks for a password and none was given |
 * | 5 | the database named in the URL does not exist (SQLSTATE 3D000) |
 * | 6 | a migration failed (rolled back), the wait for the migration lock timed out, the connection was lost, or the history table or migrations folder cannot be read (also a folder in a drizzle-kit format other than version 7) |
 * | 7 | the schema differs: `check` found differences, or `migrate` refused to adopt existing tables |
 */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  unreachable: 3,
  authentication: 4,
  databaseMissing: 5,
  migrationFailed: 6,
  schemaDiffers: 7,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
