import { eq, sql } from "drizzle-orm";
import { bigint, pgSchema, pgTable, serial, text } from "drizzle-orm/pg-core";
import type { PluginName } from "../schema/define.js";
import type { AnyPgDatabase } from "../shared/database.js";
import { driverMessage, sqlStateOf } from "../shared/driver-error.js";
import { checkOptionNames } from "../shared/options.js";
import { rowsOf } from "../shared/rows.js";
import { guardedTransaction, type TransactionGuard } from "../shared/transaction.js";
import { adoptExistingTables, conversionHint, convertExistingTables } from "./adopt.js";
import { ADOPT_FROM, type AdoptFrom } from "./convert.js";
import { MigrationError, SchemaMismatchError } from "./errors.js";
import { migrationsFolderOf } from "./folder.js";
import { type MigrationFile, readMigrationFolder } from "./journal.js";
import { checkPgSchema, DEFAULT_PG_SCHEMA, placeMigrations, quoteIdentifier } from "./placement.js";
import { pluginMigrationsFolder, pluginsOption } from "./plugins.js";
import { displayName, hasSnapshot, readSnapshot } from "./snapshot.js";

/** Where `migrate()` keeps its history, and which migrations it applies. */
export interface MigrateOptions {
  /**
   * Schema of the history table. Created if missing. Defaults to `"drizzle"`.
   */
  migrationsSchema?: string;
  /**
   * Name of the history table. Defaults to `"__be_db_migrations"`: deliberately not drizzle's default
   * `__drizzle_migrations`, so the host's own migration history and this package's never mix. It has drizzle's
   * layout (`id serial`, `hash text`, `created_at bigint`), so `drizzle-kit migrate` with
   * `migrations: { schema: 'drizzle', table: '__be_db_migrations' }` agrees with it.
   */
  migrationsTable?: string;
  /** Folder of drizzle-kit migrations to apply. Defaults to the package's own `migrationsFolder`. */
  migrationsFolder?: string;
  /**
   * Better Auth plugins whose tables and columns to migrate too (the names `defineAuthSchema()` takes). Their
   * migrations (`migrations/plugins/<plugin>/` inside `migrationsFolder`) run after the core's, plugin by plugin in
   * a fixed order, in the same transaction, under the same lock and in the same history. Default: none. Leaving a
   * plugin out later drops nothing.
   */
  plugins?: readonly PluginName[];
  /**
   * Converts existing tables made by another tool into the package's shape, keeping every row, when the history
   * is empty. `"better-auth-cli"`: the drizzle schema Better Auth's CLI generates (`@better-auth/cli generate`,
   * drizzle adapter, PostgreSQL), created by drizzle-kit, with snake_case or camelCase column names: columns
   * renamed to snake_case, `timestamp` → `timestamptz` holding the same instants, id and other defaults set,
   * `updated_at` made nullable, `deleted_at` added, indexes and constraints renamed or created. Tables it cannot
   * convert are refused untouched (`SchemaMismatchError` with the list of differences). Without this option such
   * tables are refused too (the error says that they can be converted). Ignored once the history has rows.
   * `migrationStatus()` ignores it. Converts tables in `public` only: with another `pgSchema` it is a `TypeError`.
   */
  adoptFrom?: AdoptFrom;
  /**
   * The PostgreSQL schema the package's tables live in: `"auth"` makes them as `"auth"."user"`, … (the schema is
   * created if missing). Defaults to `"public"`. Each schema has its own set of tables and its own history
   * (the history table's `pg_schema` column), so several schemas of one database migrate independently.
   * Checked by {@link checkPgSchema}: a name PostgreSQL would truncate (over 63 bytes) or refuse is a `TypeError`.
   */
  pgSchema?: string;
}

/** The option names of `migrate()` and `migrationStatus()`, checked by `resolveMigrateOptions`. */
const MIGRATE_OPTIONS: readonly (keyof MigrateOptions)[] = [
  "migrationsSchema",
  "migrationsTable",
  "migrationsFolder",
  "plugins",
  "adoptFrom",
  "pgSchema",
];

/** A migration as `migrate()` and `migrationStatus()` report it. */
export interface MigrationInfo {
  /** For example `"0000_auth_tables"`. */
  tag: string;
  /** When drizzle-kit generated it (the journal's `when`), Unix time in milliseconds. */
  createdAt: number;
}

/** What `migrate()` did. */
export interface MigrateResult {
  /** Migrations applied by this call, in order, each with the time it took in milliseconds. */
  applied: (MigrationInfo & { durationMs: number })[];
  /**
   * Migrations recorded as applied without running them, because their tables were already there with the
   * right shape (made by the same migrations under another history, for example the host's
   * `drizzle.__drizzle_migrations`). Empty otherwise.
   */
  adopted: MigrationInfo[];
  /**
   * With `adoptFrom`: the SQL statements that converted the existing tables before `adopted` was recorded
   * (renames, `SET DATA TYPE timestamptz`, defaults, indexes), in the order they ran. Absent when nothing was
   * converted.
   */
  converted?: string[];
}

/** What `migrationStatus()` found. */
export interface MigrationStatus {
  /** Migrations of the folder already recorded in the history table, in order. */
  applied: MigrationInfo[];
  /** Migrations of the folder not applied yet, in the order `migrate()` would apply them. */
  pending: MigrationInfo[];
}

const DEFAULTS = { migrationsSchema: "drizzle", migrationsTable: "__be_db_migrations" };

/**
 * The migrations run with the transaction's `search_path` set to the target schema alone (`public` by default),
 * because drizzle-kit writes `CREATE TABLE "user"` unqualified but `REFERENCES "public"."user"`, and the snapshots
 * put every table in `public`. For another schema the `"public".` qualifiers are moved there too
 * (`placeMigrations`).
 */
const searchPathOf = (pgSchema: string) => (pgSchema === DEFAULT_PG_SCHEMA ? pgSchema : quoteIdentifier(pgSchema));

/**
 * The history's column naming the schema each migration went to. Added (`text not null default 'public'`) by the
 * first `migrate()` into a schema other than `public`, so a history written before, or by `drizzle-kit migrate`,
 * reads as `public`'s. While it is missing, every row is `public`'s.
 */
const PLACEMENT_COLUMN = "pg_schema";

function historyTable(schema: string, table: string) {
  const columns = {
    id: serial("id").primaryKey(),
    hash: text("hash").notNull(),
    createdAt: bigint("created_at", { mode: "number" }),
  };
  // drizzle refuses pgSchema("public"); a table without a schema lands there anyway.
  return schema === "public" ? pgTable(table, columns) : pgSchema(schema).table(table, columns);
}

/** The history table with its `pg_schema` column, once a migration went to a schema other than `public`. */
function placedHistoryTable(schema: string, table: string) {
  const columns = {
    id: serial("id").primaryKey(),
    hash: text("hash").notNull(),
    createdAt: bigint("created_at", { mode: "number" }),
    pgSchema: text(PLACEMENT_COLUMN).notNull().default(DEFAULT_PG_SCHEMA),
  };
  return schema === "public" ? pgTable(table, columns) : pgSchema(schema).table(table, columns);
}

const quoted = (name: string) => /^"((?:[^"]|"")+)"$/.exec(name)?.[1]?.replaceAll('""', '"');
const NAME = '(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)';
const CREATE_TABLE = new RegExp(
  String.raw`\bcreate\s+(?:unlogged\s+)?table\s+(?:if\s+not\s+exists\s+)?(${NAME})(?:\s*\.\s*(${NAME}))?`,
  "gi",
);
/** An identifier as PostgreSQL reads it: quoted names as written, others folded to lower case. */
const identifier = (name: string) => quoted(name) ?? name.toLowerCase();

/**
 * The tables (`schema.table`) the folder's migrations create, read from their `CREATE TABLE` statements; an
 * unqualified name is in `pgSchema` (default `public`), where `migrate()` runs them.
 */
export function tablesCreatedBy(files: MigrationFile[], pgSchema = DEFAULT_PG_SCHEMA): Set<string> {
  const tables = new Set<string>();
  for (const file of files) {
    for (const statement of file.statements) {
      for (const match of statement.matchAll(CREATE_TABLE)) {
        const [, first = "", second] = match;
        tables.add(
          second === undefined ? `${pgSchema}.${identifier(first)}` : `${identifier(first)}.${identifier(second)}`,
        );
      }
    }
  }
  return tables;
}

/** Where the history is and what to apply, checked: see {@link resolveMigrateOptions}. */
export interface ResolvedMigrateOptions {
  schema: string;
  table: string;
  folder: string;
  /** The core's migrations, then each plugin's, in the order they are applied, as they run in `pgSchema` (see
   * `placeMigrations`). */
  files: MigrationFile[];
  /** How many of `files` are the core's (the rest are the plugins'). */
  coreCount: number;
  /** The plugins, checked, in the order their migrations are applied. */
  plugins: PluginName[];
  adoptFrom: AdoptFrom | undefined;
  /** Where the package's tables live (`public` by default). */
  pgSchema: string;
}

/**
 * Checks `migrate()`'s options and reads the migrations folder, before anything is sent to a database (`be-db`
 * calls it before connecting).
 * @throws {TypeError} when `options` is not an object or `migrationsFolder` not a path; when `plugins` is not an
 *   array of supported plugin names; when `migrationsSchema` /
 *   `migrationsTable` is not a PostgreSQL identifier (a string of 1 to 63 bytes without NUL), or names one of the
 *   tables the migrations create (`public.user`, `public.rate_limit`, …): a history there would be read from, and
 *   written into, the package's own table; when `pgSchema` is not a schema name PostgreSQL keeps as given
 *   (see {@link checkPgSchema}).
 * @throws {MigrationError} when the folder cannot be read or is not in drizzle-kit's version 7 format.
 */
export function resolveMigrateOptions(options: MigrateOptions): ResolvedMigrateOptions {
  const folder = migrationsFolderOf(options, "migrate");
  checkOptionNames(options, MIGRATE_OPTIONS, "migrate()");
  const schema = options.migrationsSchema ?? DEFAULTS.migrationsSchema;
  const table = options.migrationsTable ?? DEFAULTS.migrationsTable;
  const pgSchema = checkPgSchema(options.pgSchema);
  // PostgreSQL identifiers: 1 to 63 bytes (NAMEDATALEN - 1), no NUL. Checked before anything is sent.
  for (const [option, value] of [
    ["migrationsSchema", schema],
    ["migrationsTable", table],
  ] as const) {
    if (typeof value !== "string" || value === "" || value.includes("\u0000") || Buffer.byteLength(value) > 63) {
      throw new TypeError(
        `@be-monorepo/db: \`${option}\` must be a PostgreSQL identifier of 1 to 63 bytes without NUL (got ${typeof value === "string" ? JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value) : typeof value})`,
      );
    }
  }
  const plugins = pluginsOption(options.plugins);
  const { adoptFrom } = options;
  if (adoptFrom !== undefined && !ADOPT_FROM.includes(adoptFrom)) {
    throw new TypeError(
      `@be-monorepo/db: \`adoptFrom\` must be ${ADOPT_FROM.map((value) => JSON.stringify(value)).join(" or ")} or undefined (got ${typeof adoptFrom === "string" ? JSON.stringify(adoptFrom) : typeof adoptFrom})`,
    );
  }
  if (adoptFrom !== undefined && pgSchema !== DEFAULT_PG_SCHEMA) {
    throw new TypeError(
      `@be-monorepo/db: \`adoptFrom\` converts tables in public only; it cannot be combined with \`pgSchema\` ${JSON.stringify(pgSchema)}`,
    );
  }
  const files = readMigrationFolder(folder);
  for (const file of files) if (hasSnapshot(folder, file.idx)) readSnapshot(folder, file.idx);
  const coreCount = files.length;
  for (const plugin of plugins) {
    const pluginFolder = pluginMigrationsFolder(plugin, folder);
    const own = readMigrationFolder(pluginFolder);
    for (const file of own) if (hasSnapshot(pluginFolder, file.idx)) readSnapshot(pluginFolder, file.idx);
    files.push(...own);
  }
  // The history identifies a migration by its journal `when`: two folders must never share one.
  const seen = new Set<number>();
  for (const file of files) {
    if (seen.has(file.createdAt)) {
      throw new MigrationError(`Two migrations have the same journal "when" (${file.createdAt}); ${file.tag} is one`);
    }
    seen.add(file.createdAt);
  }
  const placed = placeMigrations(files, pgSchema);
  if (tablesCreatedBy(placed, pgSchema).has(`${schema}.${table}`)) {
    throw new TypeError(
      `@be-monorepo/db: \`migrationsSchema\` and \`migrationsTable\` name ${schema}.${table}, one of the package's tables; ` +
        "the migration history needs a table of its own (the default is drizzle.__be_db_migrations)",
    );
  }
  return { schema, table, folder, files: placed, coreCount, plugins, pgSchema, adoptFrom };
}

/** Refuses a `db` that is not a drizzle database with a `TypeError` naming it, before anything is sent. */
function checkDatabase(db: unknown, fn: string): void {
  if (typeof db !== "object" || db === null || typeof (db as { transaction?: unknown }).transaction !== "function") {
    throw new TypeError(
      `@be-monorepo/db: ${fn} needs \`db\`, a drizzle PostgreSQL database (got ${db === null ? "null" : typeof db})`,
    );
  }
}

const info = ({ tag, createdAt }: MigrationFile): MigrationInfo => ({ tag, createdAt });

/** Whether the history table exists, and whether it has its `pg_schema` column. */
async function historyState(
  db: AnyPgDatabase,
  schema: string,
  table: string,
): Promise<{ present: boolean; placed: boolean }> {
  const name = `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
  const [row] = rowsOf(
    await db.execute(sql`select to_regclass(${name}) is not null as present, exists(select 1 from pg_attribute
      where attrelid = to_regclass(${name}) and attname = ${PLACEMENT_COLUMN} and not attisdropped) as placed`),
  );
  return { present: row?.present === true, placed: row?.placed === true };
}

/** When (journal `when`) each migration recorded in the history went to `pgSchema`. */
async function appliedTimes(
  db: AnyPgDatabase,
  schema: string,
  table: string,
  pgSchema: string,
  placed: boolean,
): Promise<Set<number>> {
  let rows: { createdAt: number | null }[];
  if (placed) {
    const history = placedHistoryTable(schema, table);
    rows = await db.select({ createdAt: history.createdAt }).from(history).where(eq(history.pgSchema, pgSchema));
  } else {
    // A history without the column holds only migrations that went to `public`.
    if (pgSchema !== DEFAULT_PG_SCHEMA) return new Set();
    const history = historyTable(schema, table);
    rows = await db.select({ createdAt: history.createdAt }).from(history);
  }
  return new Set(rows.map((row) => Number(row.createdAt)));
}

/** The session's `lock_timeout`/`statement_timeout` ran out (55P03 lock_not_available, 57014 query_canceled). */
const TIMEOUTS = new Set(["55P03", "57014"]);

/**
 * Takes a migration lock, a transaction-level advisory lock keyed on the history table, and for a schema other
 * than `public` on that schema too (so two schemas migrate independently); naming the wait when the session's
 * `lock_timeout` or `statement_timeout` ends it. `public`'s key is the history table's alone, as before the
 * `pgSchema` option, so it also serialises the history table's own changes (see `prepareHistory`).
 */
async function takeLock(
  tx: AnyPgDatabase,
  schema: string,
  table: string,
  pgSchema: string,
  timeouts: string,
): Promise<void> {
  const placed = pgSchema !== DEFAULT_PG_SCHEMA;
  const key = placed
    ? `@be-monorepo/db:${quoteIdentifier(schema)}.${quoteIdentifier(table)}/${quoteIdentifier(pgSchema)}`
    : `@be-monorepo/db:${schema}.${table}`;
  const what = `${schema}.${table}${placed ? ` for schema ${pgSchema}` : ""}`;
  try {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${key}))`);
  } catch (cause) {
    if (TIMEOUTS.has(sqlStateOf(cause) ?? "")) {
      throw new MigrationError(
        `Timed out waiting for the migration lock of ${what} (${timeouts}): is another migrate() ` +
          `running? It holds the lock until its transaction ends; nothing was applied`,
        { cause },
      );
    }
    throw new MigrationError(`Cannot take the migration lock of ${what}: ${driverMessage(cause)}`, {
      cause,
    });
  }
}

/**
 * Creates the history table if missing and, for a schema other than `public`, its `pg_schema` column; returns
 * whether the column is there. For another schema the table is only changed under `public`'s lock (the history
 * table's own), so that migrations into several schemas at once never race to create or alter it.
 */
async function prepareHistory(
  tx: AnyPgDatabase,
  schema: string,
  table: string,
  pgSchema: string,
  timeouts: string,
): Promise<boolean> {
  const name = sql`${sql.identifier(schema)}.${sql.identifier(table)}`;
  const create = async () => {
    await tx.execute(sql`create schema if not exists ${sql.identifier(schema)}`);
    await tx.execute(
      sql`create table if not exists ${name} (id serial primary key, hash text not null, created_at bigint)`,
    );
  };
  if (pgSchema === DEFAULT_PG_SCHEMA) {
    await create();
    return (await historyState(tx, schema, table)).placed;
  }
  if ((await historyState(tx, schema, table)).placed) return true;
  await takeLock(tx, schema, table, DEFAULT_PG_SCHEMA, timeouts);
  await create();
  await tx.execute(
    sql`alter table ${name} add column if not exists ${sql.identifier(PLACEMENT_COLUMN)} text not null default ${sql.raw(`'${DEFAULT_PG_SCHEMA}'`)}`,
  );
  return true;
}

/** migrate()'s own errors pass; any other failure (no connection, a lost one) becomes a `MigrationError`. */
const migrationGuard: TransactionGuard = {
  passes: (error) => error instanceof MigrationError,
  wrap: (cause) => new MigrationError(`Cannot run the migrations: ${driverMessage(cause)}`, { cause }),
};

/**
 * Applies the package's pending migrations to the host's database: the core's, then those of each plugin in
 * `options.plugins`.
 *
 * - `db`: any drizzle PostgreSQL database (node-postgres `Pool` or `Client`, postgres.js, PGlite, or a pooled
 *   connection).
 * - A migration is pending when its journal `when` is not in the history table; comparing every migration,
 *   not only the newest, means a migration is never skipped because some other row is newer.
 * - All pending migrations run in one transaction that first takes a PostgreSQL transaction-level advisory
 *   lock (`pg_advisory_xact_lock`) keyed on the history table. Several app instances calling `migrate()` at
 *   once therefore queue: the first applies, the others then find nothing pending, and all resolve. The lock
 *   is released at commit or rollback, so it also works through PgBouncer in transaction-pooling mode. The wait
 *   is bounded only by the session's `lock_timeout` / `statement_timeout` (none by default); when one of them
 *   ends it, the error says so.
 * - Any `search_path`: the transaction's `search_path` is set to the target schema alone (`public` by default;
 *   `set_config(…, true)`, for this transaction only), so the package's tables are made there, as its migrations
 *   and `checkSchema()` expect, whatever the session's `search_path` is. The host's own queries find them
 *   through drizzle's schema-qualified tables (`defineAuthSchema({ pgSchema })`), or unqualified only if the
 *   schema is on its `search_path`.
 * - `pgSchema`: the schema is created if missing and the same migrations run there, their `"public".`
 *   qualifiers moved to it (`moveSchemaReferences`); the history rows say which schema each migration went to,
 *   and a schema's lock is its own, so two schemas migrate independently and at once.
 * - If a statement fails, the transaction rolls back: the schema and the history are as before the call.
 * - A lost connection (the backend terminated, the server restarted) rejects with a `MigrationError`; it never
 *   crashes the host process through node-postgres's `'error'` event, even on a pool's checked-out client.
 * - Adoption: when the history is empty but the package's tables already exist (made by the same migrations
 *   under another history, for example `drizzle-kit migrate` recording them in `drizzle.__drizzle_migrations`
 *   under other hashes), their shape is compared with drizzle-kit's snapshot after each migration. The newest
 *   exact match is recorded as applied, with every earlier migration, and only newer ones run
 *   (`result.adopted`). Rows are never touched by the check.
 *
 * @returns the migrations applied by this call (empty when none was pending), with durations in milliseconds.
 * @throws {TypeError} before anything is sent, when `migrationsSchema` / `migrationsTable` is not a valid
 *   identifier or names one of the package's tables (see {@link resolveMigrateOptions}).
 * @throws {SchemaMismatchError} (a `MigrationError`) when existing tables match none of the migrations; its
 *   `differences` list why. Nothing is recorded or altered.
 * @throws {MigrationError} naming the failed migration (`error.migration`) with the driver's error as `cause`;
 *   or, with `migration` undefined: the folder cannot be read or is not in drizzle-kit's version 7 format, the
 *   database cannot be reached (no server, missing database, refused login) or the connection is lost, the lock
 *   wait timed out, or the history table cannot be created or read. The driver's error is the `cause`.
 */
export async function migrate(db: AnyPgDatabase, options: MigrateOptions = {}): Promise<MigrateResult> {
  const { schema, table, folder, files, coreCount, plugins, pgSchema, adoptFrom } = resolveMigrateOptions(options);
  checkDatabase(db, "migrate()");
  const applied: MigrateResult["applied"] = [];
  const adopted: MigrationInfo[] = [];
  let converted: string[] = [];
  await guardedTransaction(db, migrationGuard, async (tx) => {
    let timeouts: string;
    try {
      const [settings] = rowsOf(
        await tx.execute(sql`select set_config('search_path', ${searchPathOf(pgSchema)}, true),
            current_setting('lock_timeout') as lock_timeout, current_setting('statement_timeout') as statement_timeout`),
      );
      timeouts = `lock_timeout ${settings?.lock_timeout}, statement_timeout ${settings?.statement_timeout}`;
    } catch (cause) {
      throw new MigrationError(`Cannot run the migrations: ${driverMessage(cause)}`, { cause });
    }
    await takeLock(tx, schema, table, pgSchema, timeouts);
    let done: Set<number>;
    let placed: boolean;
    try {
      placed = await prepareHistory(tx, schema, table, pgSchema, timeouts);
      done = await appliedTimes(tx, schema, table, pgSchema, placed);
    } catch (cause) {
      if (cause instanceof MigrationError) throw cause;
      throw new MigrationError(
        `Cannot prepare the migration history table ${schema}.${table}: ${driverMessage(cause)}`,
        { cause },
      );
    }
    if (pgSchema !== DEFAULT_PG_SCHEMA) {
      try {
        await tx.execute(sql`create schema if not exists ${sql.identifier(pgSchema)}`);
      } catch (cause) {
        throw new MigrationError(`Cannot create the schema ${pgSchema}: ${driverMessage(cause)}`, { cause });
      }
    }
    const record = async (file: MigrationFile) => {
      const values = { hash: file.hash, createdAt: file.createdAt };
      if (placed) await tx.insert(placedHistoryTable(schema, table)).values({ ...values, pgSchema });
      else await tx.insert(historyTable(schema, table)).values(values);
    };
    if (done.size === 0) {
      const coreFiles = files.slice(0, coreCount);
      const pluginMigrations = plugins.map((plugin) => {
        const pluginFolder = pluginMigrationsFolder(plugin, folder);
        return { folder: pluginFolder, files: readMigrationFolder(pluginFolder) };
      });
      let existing: MigrationFile[];
      if (adoptFrom) {
        ({ files: existing, statements: converted } = await convertExistingTables(
          tx,
          folder,
          coreFiles,
          adoptFrom,
          pluginMigrations,
        ));
      } else {
        existing = await adoptExistingTables(tx, folder, coreFiles, pgSchema).catch(async (error: unknown) => {
          const convertible =
            error instanceof SchemaMismatchError
              ? await conversionHint(tx, folder, coreFiles, pluginMigrations)
              : undefined;
          if (!convertible || !(error instanceof SchemaMismatchError)) throw error;
          throw new SchemaMismatchError(error.message, {
            migration: error.migration,
            differences: error.differences,
            hint: convertible.hint,
          });
        });
        if (existing.length === 0 && pgSchema === DEFAULT_PG_SCHEMA) {
          // None of the package's tables, but Better Auth's CLI tables under other names (`users`, `rateLimit`):
          // creating empty tables beside them would split the host's users in two.
          const convertible = await conversionHint(tx, folder, coreFiles, pluginMigrations);
          if (convertible && convertible.elsewhere.length > 0) {
            const found = convertible.elsewhere.map(displayName).join(", ");
            throw new SchemaMismatchError(
              `The database has Better Auth's tables under other names (${found}); migrate() would create ` +
                `empty tables of its own beside them, so nothing was changed`,
              {
                differences: convertible.elsewhere.map(
                  (key) =>
                    `table ${displayName(key)} has the layout of Better Auth's CLI schema under another name than this package's`,
                ),
                hint: convertible.hint,
              },
            );
          }
        }
      }
      for (const file of existing) {
        await record(file);
        done.add(file.createdAt);
        adopted.push(info(file));
      }
    }
    for (const file of files) {
      if (done.has(file.createdAt)) continue;
      const started = performance.now();
      try {
        for (const statement of file.statements) await tx.execute(sql.raw(statement));
        await record(file);
      } catch (cause) {
        throw new MigrationError(`Migration ${file.tag} failed: ${driverMessage(cause)}`, {
          migration: file.tag,
          cause,
        });
      }
      applied.push({ ...info(file), durationMs: performance.now() - started });
    }
  });
  return converted.length > 0 ? { applied, adopted, converted } : { applied, adopted };
}

/**
 * Lists which of the package's migrations (the core's, then those of `options.plugins`) are applied and which are
 * pending, without changing anything.
 * A database that never ran `migrate()` (no history table yet) has every migration pending.
 *
 * @throws {TypeError} before anything is sent, for the options `migrate()` refuses.
 * @throws {MigrationError} when the folder cannot be read or is not in drizzle-kit's version 7 format, or the
 *   history table cannot be queried (the driver's error as `cause`).
 */
export async function migrationStatus(db: AnyPgDatabase, options: MigrateOptions = {}): Promise<MigrationStatus> {
  const { schema, table, files, pgSchema } = resolveMigrateOptions(options);
  checkDatabase(db, "migrationStatus()");
  let done: Set<number>;
  try {
    const { present, placed } = await historyState(db, schema, table);
    done = present ? await appliedTimes(db, schema, table, pgSchema, placed) : new Set();
  } catch (cause) {
    throw new MigrationError(`Cannot read the migration history table ${schema}.${table}: ${driverMessage(cause)}`, {
      cause,
    });
  }
  return {
    applied: files.filter((file) => done.has(file.createdAt)).map(info),
    pending: files.filter((file) => !done.has(file.createdAt)).map(info),
  };
}
