import { MigrationError, SchemaMismatchError } from "../migrate/index.js";
import { sqlStateOf } from "../shared/driver-error.js";
import { ExitCode } from "./exit-codes.js";

/** A mistake in how `be-db` was called (exit code 2). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The database could not be opened at all (exit code 3 unless the server's answer says more). */
export class ConnectionError extends Error {
  override readonly name: string = "ConnectionError";
  constructor(
    message: string,
    readonly target: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/**
 * The server asks for a password and none was given (no password in the URL, `PGPASSWORD` or `~/.pgpass`):
 * node-postgres gives up before sending anything, so there is no SQLSTATE. A refused login (exit code 4).
 */
export class PasswordMissingError extends ConnectionError {
  override readonly name = "PasswordMissingError";
}

interface Explained {
  code: ExitCode;
  /** One line for stderr. */
  line: string;
  /** Further lines (the differences of a refused adoption). */
  details: string[];
  /** A line printed after the details: what would resolve the error, when known. */
  note?: string;
}

/** The error and its `cause`s, outermost first. */
function chain(error: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = error; e !== undefined && e !== null && out.length < 10; e = (e as { cause?: unknown }).cause) {
    out.push(e);
  }
  return out;
}

/** Node's own error code (`ECONNREFUSED`, …) of a network failure; SQLSTATEs are read with `sqlStateOf`. */
const codeOf = (e: unknown) => (typeof e === "object" && e !== null ? (e as { code?: unknown }).code : undefined);
/** First line of an error's message; also for thrown non-Errors (PGlite's file system throws `{ name, errno }`). */
function messageOf(e: unknown): string {
  let text: string;
  if (e instanceof Error) text = e.message;
  else if (typeof e === "object" && e !== null) {
    const { message, name, errno } = e as { message?: unknown; name?: unknown; errno?: unknown };
    text =
      typeof message === "string"
        ? message
        : `${String(name ?? "error")}${errno === undefined ? "" : ` (errno ${String(errno)})`}`;
  } else text = String(e);
  return text.split("\n")[0] ?? "";
}

/** How the package's own `TypeError`s for bad arguments begin. */
const PACKAGE_PREFIX = "@be-monorepo/db: ";

/** A `TypeError` of the package in the CLI's terms: its option names as flags, without the package prefix. */
function usageLine(error: TypeError): string {
  return messageOf(error)
    .slice(PACKAGE_PREFIX.length)
    .replaceAll("`migrationsSchema`", "--migrations-schema")
    .replaceAll("`migrationsTable`", "--migrations-table")
    .replaceAll("`pgSchema`", "--pg-schema")
    .replaceAll("`migrationsFolder`", "the migrations folder")
    .replaceAll("`plugins`", "--plugins");
}

const NETWORK = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNRESET",
]);

/**
 * Turns anything `be-db` can hit into an exit code and one readable line (no stack trace). A `UsageError` or the
 * package's own `TypeError` (`@be-monorepo/db: …`, an option it refuses) is a usage error (2). PostgreSQL's SQLSTATE (`code` on the driver's
 * error, possibly wrapped in a `MigrationError`'s `cause`) decides between authentication (class 28, and a
 * password the server asks for and nobody gave: 4) and a missing database (3D000: 5); Node's network error codes
 * mean unreachable (3).
 */
export function explain(error: unknown, target: string): Explained {
  const all = chain(error);
  const found = (test: (e: unknown) => boolean) => all.find(test);
  if (error instanceof UsageError) return { code: ExitCode.usage, line: error.message, details: [] };
  // The package's bad-argument errors (an option `migrate()` refuses): a usage error too. Other TypeErrors are bugs.
  if (error instanceof TypeError && error.message.startsWith(PACKAGE_PREFIX)) {
    return { code: ExitCode.usage, line: usageLine(error), details: [] };
  }
  if (error instanceof PasswordMissingError) {
    return { code: ExitCode.authentication, line: `Login refused by ${target}: ${error.message}`, details: [] };
  }

  const auth = found((e) => sqlStateOf(e)?.startsWith("28") === true);
  if (auth) {
    return { code: ExitCode.authentication, line: `Login refused by ${target}: ${messageOf(auth)}`, details: [] };
  }
  const missing = found((e) => sqlStateOf(e) === "3D000");
  if (missing) return { code: ExitCode.databaseMissing, line: `${messageOf(missing)} (${target})`, details: [] };
  if (error instanceof ConnectionError) {
    return { code: ExitCode.unreachable, line: `${error.message}: ${messageOf(error.cause)}`, details: [] };
  }
  const network = found((e) => NETWORK.has(String(codeOf(e))));
  if (network)
    return { code: ExitCode.unreachable, line: `Cannot reach ${target}: ${messageOf(network)}`, details: [] };
  if (error instanceof SchemaMismatchError) {
    return {
      code: ExitCode.schemaDiffers,
      line: error.migration
        ? `Refused: the existing tables match none of the package's migrations (closest: ${error.migration}); nothing was changed. Differences:`
        : `Refused: ${error.message.split("\n")[0]}. Differences:`,
      details: error.differences,
      ...(error.hint ? { note: error.hint } : {}),
    };
  }
  if (error instanceof MigrationError) {
    // The innermost cause is the driver's own error (drizzle wraps it in "Failed query: …").
    const cause = all.length > 1 ? messageOf(all.at(-1)) : "";
    const line = cause && !error.message.includes(cause) ? `${messageOf(error)}: ${cause}` : messageOf(error);
    return { code: ExitCode.migrationFailed, line, details: [] };
  }
  return { code: ExitCode.unexpected, line: `Unexpected error: ${messageOf(error)}`, details: [] };
}
