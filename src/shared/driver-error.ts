import { DrizzleQueryError } from "drizzle-orm";

/**
 * The driver's own error behind an error drizzle threw: drizzle (0.44 and later) wraps every failed query in a
 * `DrizzleQueryError` whose `cause` is the node-postgres, postgres.js or PGlite error carrying PostgreSQL's
 * SQLSTATE `code`. Anything else is returned as it is.
 */
export function driverError(error: unknown): unknown {
  return error instanceof DrizzleQueryError && error.cause !== undefined ? error.cause : error;
}

/** The message of `driverError(error)`, for one-line error messages. */
export function driverMessage(error: unknown): string {
  const cause = driverError(error);
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * PostgreSQL's SQLSTATE (five characters, for example `"40P01"` for a deadlock) of the driver's error behind
 * `error`, or `undefined` when it carries none (a network error such as `ECONNREFUSED`, a non-database error).
 * node-postgres, postgres.js and PGlite all put it in the error's `code`.
 */
export function sqlStateOf(error: unknown): string | undefined {
  const code = (driverError(error) as { code?: unknown } | null | undefined)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
