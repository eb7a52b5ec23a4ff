import type { AnyPgDatabase } from "../shared/database.js";
import { sqlStateOf } from "../shared/driver-error.js";
import { ConnectionError, PasswordMissingError, UsageError } from "./errors.js";
import { openablePgliteFolder } from "./pglite-folder.js";
import { connectionStringOf, describeUrl } from "./url.js";

/** Where the CLI's database is, from its options and the environment. */
export interface DatabaseOptions {
  databaseUrl?: string;
  pglite?: string;
}

/** An open database for one CLI command. */
export interface OpenDatabase {
  db: AnyPgDatabase;
  /** What to call it in messages: the URL without its password, or `PGlite at DIR`. */
  target: string;
  close(): Promise<void>;
}

/** Where the CLI connects, checked: a PGlite folder, or a connection string for node-postgres. */
export interface DatabaseTarget {
  /** What to call it in messages: the URL without its passwords, or `PGlite at DIR`. */
  target: string;
  pglite?: string;
  connectionString?: string;
  /** Where the URL came from, for messages: `--database-url` or `DATABASE_URL`. */
  source?: string;
}

/**
 * Where the CLI will connect, or a usage error: `--pglite` and `--database-url` together, nothing at all, a URL
 * that is not `postgres://`, or a query parameter node-postgres does not use or a value it does not understand
 * (see `connectionStringOf`).
 */
export function targetOf(options: DatabaseOptions, env: NodeJS.ProcessEnv): DatabaseTarget {
  if (options.pglite !== undefined && options.databaseUrl !== undefined) {
    throw new UsageError("Give either --database-url or --pglite, not both.");
  }
  if (options.pglite !== undefined) return { target: `PGlite at ${options.pglite}`, pglite: options.pglite };
  const url = options.databaseUrl ?? env.DATABASE_URL;
  const source = options.databaseUrl === undefined ? "DATABASE_URL" : "--database-url";
  if (!url) {
    throw new UsageError(
      "No database given: pass --database-url <url>, set DATABASE_URL, or pass --pglite <dir> for an embedded PGlite database.",
    );
  }
  if (!/^postgres(ql)?:\/\/./.test(url) || !URL.canParse(url)) {
    throw new UsageError(`${source} is not a PostgreSQL URL (expected postgres://user:password@host:port/database).`);
  }
  return { target: describeUrl(url), connectionString: connectionStringOf(url, source), source };
}

async function load<T>(name: string, importer: () => Promise<T>): Promise<T> {
  try {
    return await importer();
  } catch (cause) {
    throw new UsageError(
      `This command needs the ${name} package; install it next to @be-monorepo/db (npm i ${name}).`,
      {
        cause,
      },
    );
  }
}

/**
 * Opens the database `targetOf` found: one node-postgres client for `--database-url` / `DATABASE_URL`
 * (connected here, so connection problems surface before anything runs), or PGlite in the `--pglite` folder
 * (created when missing). The drivers are optional peer dependencies, loaded only when used.
 * @throws {UsageError} when the driver is not installed, or node-postgres refuses the connection string (an
 *   `sslrootcert` file that cannot be read).
 * @throws {PasswordMissingError} (a `ConnectionError`) when the server asks for a password and none was given.
 * @throws {ConnectionError} when it cannot be opened: the PGlite folder is a file or cannot be created, or the
 *   server cannot be reached; the driver's error (with PostgreSQL's SQLSTATE when the server answered) is its `cause`.
 */
export async function openDatabase(where: DatabaseTarget): Promise<OpenDatabase> {
  const { target, pglite, connectionString, source } = where;
  if (pglite !== undefined) {
    const { PGlite } = await load("@electric-sql/pglite", () => import("@electric-sql/pglite"));
    const { drizzle } = await load("@electric-sql/pglite", () => import("drizzle-orm/pglite"));
    await openablePgliteFolder(pglite, target);
    let client: InstanceType<typeof PGlite>;
    try {
      client = await PGlite.create(pglite);
    } catch (cause) {
      throw new ConnectionError(`Cannot open ${target}`, target, { cause });
    }
    return { db: drizzle(client), target, close: () => client.close() };
  }
  const pg = (await load("pg", () => import("pg"))).default;
  const { drizzle } = await load("pg", () => import("drizzle-orm/node-postgres"));
  let client: InstanceType<typeof pg.Client>;
  try {
    client = new pg.Client({ connectionString, connectionTimeoutMillis: 10_000 });
  } catch (cause) {
    if (cause instanceof UsageError) throw cause;
    // node-postgres reads sslcert / sslkey / sslrootcert files and checks sslnegotiation here.
    const reason = cause instanceof Error ? cause.message.split("\n")[0] : String(cause);
    throw new UsageError(`${source} cannot be used by node-postgres: ${reason}`, { cause });
  }
  // After connect, a dropped connection is reported by the failing query; this only keeps Node from crashing.
  client.on("error", () => {});
  // Whether the server asked for a password (cleartext, MD5 or SCRAM): node-postgres then fails on its own when it
  // has none, before the server can answer with a SQLSTATE.
  let passwordAsked = false;
  for (const request of ["authenticationCleartextPassword", "authenticationMD5Password", "authenticationSASL"]) {
    client.connection.once(request, () => {
      passwordAsked = true;
    });
  }
  try {
    await client.connect();
  } catch (cause) {
    const password = (client as unknown as { password?: unknown }).password;
    if (passwordAsked && sqlStateOf(cause) === undefined && (typeof password !== "string" || password === "")) {
      throw new PasswordMissingError(
        "the server asks for a password and none was given (in the URL, PGPASSWORD or ~/.pgpass)",
        target,
        { cause },
      );
    }
    // The server's own refusals (SQLSTATE 28xxx, 3D000) stay visible through `cause`.
    throw new ConnectionError(`Cannot reach ${target}`, target, { cause });
  }
  return { db: drizzle(client), target, close: () => client.end() };
}
