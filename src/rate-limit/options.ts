import { is, type SQL, sql } from "drizzle-orm";
import { type AnyPgColumn, getTableConfig, PgTable } from "drizzle-orm/pg-core";
import { rateLimitTable } from "../schema/rate-limit.js";
import type { AnyPgDatabase } from "../shared/database.js";
import { checkPrefix } from "./keys.js";
import { DEFAULT_TABLE } from "./statements.js";

/**
 * A `rate_limit` table wherever it lives: the package's `rateLimitTable`, or the one `defineAuthSchema({ pgSchema })`
 * returns (`s.rateLimitTable`, in that schema).
 */
export type DbStoreTable = PgTable & {
  id: AnyPgColumn;
  key: AnyPgColumn;
  count: AnyPgColumn;
  lastRequest: AnyPgColumn;
  windowStart: AnyPgColumn;
};

/** The columns `DbStore`'s statements name, as the package's migrations make them. */
const COLUMNS = ["id", "key", "count", "last_request", "window_start"];

/** Options of `new DbStore(options)`. */
export interface DbStoreOptions {
  /**
   * The host's drizzle database (`drizzle-orm/node-postgres`, `postgres-js` or `pglite`), already migrated with
   * this package's `migrate()` so that `rate_limit` has its `window_start` column. `DbStore` never opens nor
   * closes a connection.
   */
  db: AnyPgDatabase;
  /**
   * The `rate_limit` table to count in: a drizzle table with the package's `rate_limit` columns, for example
   * `s.rateLimitTable` from `defineAuthSchema({ pgSchema: "auth" })` for the table `migrate(db, { pgSchema: "auth" })`
   * made. Every statement names it schema-qualified and quoted (`"auth"."rate_limit"`), so the session's
   * `search_path` does not matter. Defaults to the package's `rateLimitTable` (in `public`, named `"rate_limit"`
   * unqualified as drizzle names it, so found through the `search_path`).
   */
  table?: DbStoreTable;
  /**
   * Text put before every key in the `key` column, so that stores and Better Auth share the table: 1 to 64
   * UTF-8 bytes, ending with ":" and with no other ":" (`"rl:"`, `"rl-login:"`), so that no two stores can
   * share a counter. Defaults to `"rl:"`.
   */
  prefix?: string;
  /**
   * How many coalesced increment statements may run at once (each holds one pooled connection while it runs).
   * Increments that arrive while that many are running wait and go together in the next statement.
   * Defaults to `4`.
   */
  maxInFlight?: number;
  /** At most this many distinct keys go in one increment statement. Defaults to `1000`. */
  maxBatchSize?: number;
  /**
   * At most this many increments (calls) may wait for a statement, not counting those in the statements already
   * running. Beyond it, `increment` rejects at once with a `DbStoreError` (nothing is counted): when the
   * database stops answering, the queue and its memory stay bounded and callers get an answer instead of
   * waiting. Defaults to `10000`.
   */
  maxQueueSize?: number;
}

const PACKAGE = "@be-monorepo/db";

/** A bad option value as an error message shows it: numbers as they are, anything else with its type. */
const shown = (value: unknown): string =>
  typeof value === "number" ? String(value) : `${typeof value} ${JSON.stringify(value) ?? String(value)}`;

const isPositiveInteger = (value: unknown): value is number =>
  typeof value === "number" && Number.isInteger(value) && value > 0;

/** Checks the constructor options; throws a `TypeError` naming the package and the option. */
export function validateOptions(options: unknown): Required<DbStoreOptions> {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${PACKAGE}: new DbStore(options) needs an options object with \`db\` (a drizzle database)`);
  }
  if ("windowMs" in options) {
    // A common slip: the window belongs to the middleware, which hands it over through init().
    throw new TypeError(
      `${PACKAGE}: DbStore takes no \`windowMs\` option; set \`windowMs\` on rateLimiter() / rateLimit(), which passes it to the store's init()`,
    );
  }
  const {
    db,
    prefix = "rl:",
    maxInFlight = 4,
    maxBatchSize = 1000,
    maxQueueSize = 10_000,
    table = rateLimitTable,
  } = options as Partial<DbStoreOptions>;
  if (typeof db !== "object" || db === null || typeof (db as { execute?: unknown }).execute !== "function") {
    throw new TypeError(
      `${PACKAGE}: DbStore option \`db\` must be a drizzle PostgreSQL database (got ${db === null ? "null" : typeof db})`,
    );
  }
  checkPrefix(prefix);
  if (!isPositiveInteger(maxInFlight)) {
    throw new TypeError(
      `${PACKAGE}: DbStore option \`maxInFlight\` must be a positive integer (got ${shown(maxInFlight)})`,
    );
  }
  if (!isPositiveInteger(maxBatchSize)) {
    throw new TypeError(
      `${PACKAGE}: DbStore option \`maxBatchSize\` must be a positive integer (got ${shown(maxBatchSize)})`,
    );
  }
  if (!isPositiveInteger(maxQueueSize)) {
    throw new TypeError(
      `${PACKAGE}: DbStore option \`maxQueueSize\` must be a positive integer (got ${shown(maxQueueSize)})`,
    );
  }
  checkTable(table);
  return { db, prefix, maxInFlight, maxBatchSize, maxQueueSize, table };
}

/**
 * Refuses a `table` that is not a drizzle PostgreSQL table with the `rate_limit` columns (`id`, `key`, `count`,
 * `last_request`, `window_start`), with a `TypeError` naming the option.
 */
function checkTable(table: unknown): asserts table is DbStoreTable {
  if (!is(table, PgTable)) {
    throw new TypeError(
      `${PACKAGE}: DbStore option \`table\` must be a drizzle PostgreSQL table such as \`rateLimitTable\` (got ${table === null ? "null" : typeof table})`,
    );
  }
  const { name, columns } = getTableConfig(table);
  const names = new Set(columns.map((column) => column.name));
  const missing = COLUMNS.filter((column) => !names.has(column));
  if (missing.length > 0) {
    throw new TypeError(
      `${PACKAGE}: DbStore option \`table\` must have the rate_limit columns ${COLUMNS.join(", ")}; ${name} lacks ${missing.join(", ")}`,
    );
  }
}

/**
 * How the statements name `table`: `"schema"."name"` when drizzle puts it in a schema (`pgSchema(…).table`), else
 * `"name"`. The package's own `rateLimitTable` is the shared `"rate_limit"`.
 */
export function tableNameOf(table: DbStoreTable): SQL {
  if (table === rateLimitTable) return DEFAULT_TABLE;
  const { name, schema } = getTableConfig(table);
  return schema === undefined ? sql`${sql.identifier(name)}` : sql`${sql.identifier(schema)}.${sql.identifier(name)}`;
}

/**
 * Checks the `windowMs` given to `init` (milliseconds); returns it rounded to a whole millisecond (at least 1),
 * since the table keeps whole milliseconds. Throws a `TypeError` for anything but a positive finite number.
 */
export function validateWindowMs(windowMs: unknown): number {
  if (typeof windowMs !== "number" || !Number.isFinite(windowMs) || windowMs <= 0) {
    throw new TypeError(
      `${PACKAGE}: DbStore needs \`windowMs\` to be a positive finite number of milliseconds (got ${shown(windowMs)})`,
    );
  }
  if (windowMs > 1e15) {
    throw new TypeError(`${PACKAGE}: DbStore \`windowMs\` ${windowMs} is too large (at most 1e15 milliseconds)`);
  }
  return Math.max(1, Math.round(windowMs));
}

/**
 * Checks the `timeoutMs` of `shutdown` (milliseconds, a non-negative finite number); throws a `TypeError`
 * naming the package.
 */
export function validateShutdownTimeout(timeoutMs: unknown): number {
  if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs < 0) {
    throw new TypeError(
      `${PACKAGE}: DbStore.shutdown \`timeoutMs\` must be a non-negative finite number of milliseconds (got ${shown(timeoutMs)})`,
    );
  }
  return timeoutMs;
}
