import { sql } from "drizzle-orm";
import { bigint, pgSchema, pgTable, serial, text } from "drizzle-orm/pg-core";
import type { AnyPgDatabase } from "../shared/database.js";
import { driverMessage } from "../shared/driver-error.js";
import { rowsOf } from "../shared/rows.js";
import { adoptExistingTables } from "./adopt.js";
import { MigrationError } from "./errors.js";
import { migrationsFolder as shippedFolder } from "./folder.js";
import { type MigrationFile, readMigrationFolder } from "./journal.js";

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
}

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
   * right shape (a database made by the original app; see "Adopting a database made by the original app").
   * Empty otherwise.
   */
  adopted: MigrationInfo[];
}

/** What `migrationStatus()` found. */
export interface MigrationStatus {
  /** Migrations of the folder already recorded in the history table, in order. */
  applied: MigrationInfo[];
  /** Migrations of the folder not applied yet, in the order `migrate()` would apply them. */
  pending: MigrationInfo[];
}

const DEFAULTS = { migrationsSchema: "drizzle", migrationsTable: "__be_db_migrations" };

function historyTable(schema: string, table: string) {
  const columns = {
    id: serial("id").primaryKey(),
    hash: text("hash").notNull(),
    createdAt: bigint("created_at", { mode: "number" }),
  };
  // drizzle refuses pgSchema("public"); a table without a schema lands there anyway.
  return schema === "public" ? pgTable(table, columns) : pgSchema(schema).table(table, columns);
}

/**
 * `db.transaction(work)`, where a failure to even begin or commit (no connection, missing database, wrong
 * password) becomes a `MigrationError` too; `MigrationError`s thrown by `work` pass through unchanged.
 */
async function inTransaction(db: AnyPgDatabase, work: (tx: AnyPgDatabase) => Promise<void>): Promise<void> {
  try {
    await db.transaction(work);
  } catch (error) {
    if (error instanceof MigrationError) throw error;
    throw new MigrationError(`Cannot run the migrations: ${driverMessage(error)}`, { cause: error });
  }
}

function resolve(options: MigrateOptions) {
  const schema = options.migrationsSchema ?? DEFAULTS.migrationsSchema;
  const table = options.migrationsTable ?? DEFAULTS.migrationsTable;
  // PostgreSQL identifiers: 1 to 63 bytes (NAMEDATALEN - 1), no NUL. Checked before anything is sent.
  for (const [option, value] of [
    ["migrationsSchema", schema],
    ["migrationsTable", table],
  ] as const) {
    if (typeof value !== "string" || value === "" || value.includes("\u0000") || Buffer.byteLength(value) > 63) {
      throw new MigrationError(
        `@be-monorepo/db: \`${option}\` must be a PostgreSQL identifier of 1 to 63 bytes (got ${JSON.stringify(value)})`,
      );
    }
  }
  const folder = options.migrationsFolder ?? shippedFolder;
  return { schema, table, folder, history: historyTable(schema, table), files: readMigrationFolder(folder) };
}

const info = ({ tag, createdAt }: MigrationFile): MigrationInfo => ({ tag, createdAt });

async function appliedTimes(db: AnyPgDatabase, history: ReturnType<typeof historyTable>): Promise<Set<number>> {
  const rows = await db.select({ createdAt: history.createdAt }).from(history);
  return new Set(rows.map((row) => Number(row.createdAt)));
}

/**
 * Applies the package's pending migrations to the host's database.
 *
 * - `db`: any drizzle PostgreSQL database (node-postgres, postgres.js, PGlite, or a pooled connection).
 * - A migration is pending when its journal `when` is not in the history table; comparing every migration,
 *   not only the newest, means a migration is never skipped because some other row is newer.
 * - All pending migrations run in one transaction that first takes a PostgreSQL transaction-level advisory
 *   lock (`pg_advisory_xact_lock`) keyed on the history table. Several app instances calling `migrate()` at
 *   once therefore queue: the first applies, the others then find nothing pending, and all resolve. The lock
 *   is released at commit or rollback, so it also works through PgBouncer in transaction-pooling mode.
 * - If a statement fails, the transaction rolls back: the schema and the history are as before the call.
 * - Adoption: when the history is empty but the package's tables already exist (a database made by the original
 *   app, whose migrations drizzle-kit recorded in `drizzle.__drizzle_migrations` under other hashes), their shape
 *   is compared with drizzle-kit's snapshot after each migration. The newest exact match is recorded as applied,
 *   with every earlier migration, and only newer ones run (`result.adopted`). Rows are never touched by the check.
 *
 * @returns the migrations applied by this call (empty when none was pending), with durations in milliseconds.
 * @throws {SchemaMismatchError} (a `MigrationError`) when existing tables match none of the migrations; its
 *   `differences` list why. Nothing is recorded or altered.
 * @throws {MigrationError} naming the failed migration (`error.migration`) with the driver's error as `cause`;
 *   or, with `migration` undefined: when `migrationsSchema` / `migrationsTable` is not a valid identifier (before
 *   anything is sent), the folder cannot be read, the database cannot be reached (no server, missing database,
 *   refused login: the driver's error is the `cause`), or the lock or history cannot be had.
 */
export async function migrate(db: AnyPgDatabase, options: MigrateOptions = {}): Promise<MigrateResult> {
  const { schema, table, folder, history, files } = resolve(options);
  const applied: MigrateResult["applied"] = [];
  const adopted: MigrationInfo[] = [];
  await inTransaction(db, async (tx) => {
    let done: Set<number>;
    try {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`@be-monorepo/db:${schema}.${table}`}))`);
      await tx.execute(sql`create schema if not exists ${sql.identifier(schema)}`);
      await tx.execute(
        sql`create table if not exists ${sql.identifier(schema)}.${sql.identifier(table)} (id serial primary key, hash text not null, created_at bigint)`,
      );
      done = await appliedTimes(tx, history);
    } catch (cause) {
      throw new MigrationError(`Cannot prepare the migration history table ${schema}.${table}`, { cause });
    }
    if (done.size === 0) {
      for (const file of await adoptExistingTables(tx, folder, files)) {
        await tx.insert(history).values({ hash: file.hash, createdAt: file.createdAt });
        done.add(file.createdAt);
        adopted.push(info(file));
      }
    }
    for (const file of files) {
      if (done.has(file.createdAt)) continue;
      const started = performance.now();
      for (const statement of file.statements) {
        try {
          await tx.execute(sql.raw(statement));
        } catch (cause) {
          throw new MigrationError(`Migration ${file.tag} failed: ${driverMessage(cause)}`, {
            migration: file.tag,
            cause,
          });
        }
      }
      await tx.insert(history).values({ hash: file.hash, createdAt: file.createdAt });
      applied.push({ ...info(file), durationMs: performance.now() - started });
    }
  });
  return { applied, adopted };
}

/**
 * Lists which of the package's migrations are applied and which are pending, without changing anything.
 * A database that never ran `migrate()` (no history table yet) has every migration pending.
 *
 * @throws {MigrationError} when the folder cannot be read or the history table cannot be queried.
 */
export async function migrationStatus(db: AnyPgDatabase, options: MigrateOptions = {}): Promise<MigrationStatus> {
  const { schema, table, history, files } = resolve(options);
  let done: Set<number>;
  try {
    const found = await db.execute(
      sql`select to_regclass(${`${quoteIdent(schema)}.${quoteIdent(table)}`}) is not null as present`,
    );
    done = rowsOf(found)[0]?.present ? await appliedTimes(db, history) : new Set();
  } catch (cause) {
    throw new MigrationError(`Cannot read the migration history table ${schema}.${table}`, { cause });
  }
  return {
    applied: files.filter((file) => done.has(file.createdAt)).map(info),
    pending: files.filter((file) => !done.has(file.createdAt)).map(info),
  };
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
