import { is } from "drizzle-orm";
import { type AnyPgColumn, getTableConfig, PgTable } from "drizzle-orm/pg-core";
import { rateLimitTable } from "../schema/rate-limit.js";
import type { AnyPgDatabase } from "../shared/database.js";
import { checkPrefix } from "./keys.js";
import type { OnDatabaseError } from "./outage.js";
import { DEFAULT_TABLE_TEXT, quotedTableName } from "./statements.js";

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
  previousCount: AnyPgColumn;
  blockedUntil: AnyPgColumn;
};

/** The columns `DbStore`'s statements name, as the package's migrations make them. */
const COLUMNS = ["id", "key", "count", "last_request", "window_start", "previous_count", "blocked_until"];

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
  /**
   * The lockout, in milliseconds: when a key goes over its limit, it stays over its limit (every call denied)
   * for at least this long from that call, through `increment` (both middlewares) and `consume`. `0` (the
   * default) means no lockout. `increment` then needs the middleware's `limit` to be a number (read in `init`).
   */
  blockDurationMs?: number;
  /**
   * How hits are counted: `"fixed-window"` (the default, exactly `MemoryStore`), `"sliding-window"` (the
   * weighted two-window estimate) or `"token-bucket"` (GCRA: `limit` tokens refilled evenly over `windowMs`).
   * The last two need the middleware's `limit` to be a number (read in `init`).
   */
  algorithm?: DbStoreAlgorithm;
  /**
   * At most this many keys known to be over their limit are kept in this process; until the time they are
   * known blocked to (database clock), `increment` and `consume` answer them from memory without a database
   * round trip. `0` turns the cache off. Defaults to `10000`. `increment` caches only when `init` was given a
   * numeric `limit`.
   */
  blockedKeyCacheSize?: number;
  /**
   * Whether an increment's commit waits until PostgreSQL has flushed it to disk (its `synchronous_commit` for
   * that statement's own transaction). With `false`, the commit returns before the flush: a hot key's row lock is
   * held for less time and many more increments fit in a second, but after a crash of the PostgreSQL server (not
   * of the app) the increments of the last moments before it (at most about three times `wal_writer_delay`, 600 ms
   * by default) may be lost, so those clients start their windows with fewer hits. Nothing is ever half-written
   * and nothing else changes; a normal restart loses nothing. Only `increment` statements, and never when `db` is a
   * drizzle transaction (it would apply to the host's whole transaction). Defaults to `false`.
   */
  synchronousCommit?: boolean;
  /**
   * On node-postgres, send increments as a named prepared statement, which PostgreSQL parses and plans once per
   * connection instead of on every call. Behind a pooler that does not keep prepared statements apart (PgBouncer in
   * transaction mode before 1.21, or without `max_prepared_statements`), the first refused statement (SQLSTATE
   * 26000 or 42P05; it did not run) is sent again unnamed and the store uses unnamed statements from then on.
   * postgres.js prepares statements by itself (its `prepare` option); PGlite needs none. Defaults to `true`.
   */
  preparedStatements?: boolean;
  /**
   * What the store does while the database is unreachable (connection refused or lost, pool exhausted, server
   * shutting down; see `isOutage`): `"fail"` (the default) rejects with the `DbStoreError`, `"allow"` lets calls
   * through uncounted, `"memory"` counts in this process's memory (fixed windows) until a `select 1`, tried at
   * most once a second, succeeds again.
   */
  onDatabaseError?: OnDatabaseError;
}

/** The counting algorithms of `DbStore`. */
export type DbStoreAlgorithm = "fixed-window" | "sliding-window" | "token-bucket";

const ALGORITHMS: readonly string[] = ["fixed-window", "sliding-window", "token-bucket"];

const PACKAGE = "@be-monorepo/db";

/** A bad option value as an error message shows it: numbers as they are, anything else with its type. */
const shown = (value: unknown): string =>
  typeof value === "number" ? String(value) : `${typeof value} ${JSON.stringify(value) ?? String(value)}`;

const isPositiveInteger = (value: unknown): value is number =>
  typeof value === "number" && Number.isInteger(value) && value > 0;

/** Checks the constructor options; throws a `TypeError` naming the package and the option. */
export function validateOptions(options: unknown): Required<DbStoreOptions> {
  // Validated on their own so that the checks below stay as they are.
  const blockDurationMs = validateBlockDuration((options as { blockDurationMs?: unknown } | null)?.blockDurationMs);
  const algorithm = (options as { algorithm?: unknown } | null)?.algorithm ?? "fixed-window";
  if (typeof algorithm !== "string" || !ALGORITHMS.includes(algorithm)) {
    throw new TypeError(
      `${PACKAGE}: DbStore option \`algorithm\` must be "fixed-window", "sliding-window" or "token-bucket" (got ${shown(algorithm)})`,
    );
  }

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
    synchronousCommit = false,
    preparedStatements = true,
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
  for (const [name, value] of [
    ["synchronousCommit", synchronousCommit],
    ["preparedStatements", preparedStatements],
  ] as const) {
    if (typeof value !== "boolean") {
      throw new TypeError(`${PACKAGE}: DbStore option \`${name}\` must be a boolean (got ${shown(value)})`);
    }
  }
  const blockedKeyCacheSize = (options as { blockedKeyCacheSize?: unknown }).blockedKeyCacheSize ?? 10_000;
  if (typeof blockedKeyCacheSize !== "number" || !Number.isInteger(blockedKeyCacheSize) || blockedKeyCacheSize < 0) {
    throw new TypeError(
      `${PACKAGE}: DbStore option \`blockedKeyCacheSize\` must be a non-negative integer (got ${shown(blockedKeyCacheSize)})`,
    );
  }
  const onDatabaseError = (options as { onDatabaseError?: unknown }).onDatabaseError ?? "fail";
  if (onDatabaseError !== "fail" && onDatabaseError !== "allow" && onDatabaseError !== "memory") {
    throw new TypeError(
      `${PACKAGE}: DbStore option \`onDatabaseError\` must be "fail", "allow" or "memory" (got ${shown(onDatabaseError)})`,
    );
  }
  checkTable(table);
  return {
    table,
    onDatabaseError,
    blockedKeyCacheSize,
    db,
    prefix,
    maxInFlight,
    maxBatchSize,
    maxQueueSize,
    blockDurationMs,
    algorithm: algorithm as DbStoreAlgorithm,
    synchronousCommit,
    preparedStatements,
  };
}

/**
 * Refuses a `table` that is not a drizzle PostgreSQL table with the `rate_limit` columns (`id`, `key`, `count`,
 * `last_request`, `window_start`, `previous_count`, `blocked_until`), with a `TypeError` naming the option.
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
export function tableTextOf(table: DbStoreTable): string {
  if (table === rateLimitTable) return DEFAULT_TABLE_TEXT;
  const { name, schema } = getTableConfig(table);
  return quotedTableName(name, schema);
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

/** Checks `blockDurationMs` (milliseconds, a non-negative finite number, default 0); rounds it. */
function validateBlockDuration(blockDurationMs: unknown = 0): number {
  if (
    typeof blockDurationMs !== "number" ||
    !Number.isFinite(blockDurationMs) ||
    blockDurationMs < 0 ||
    blockDurationMs > 1e15
  ) {
    throw new TypeError(
      `${PACKAGE}: DbStore option \`blockDurationMs\` must be a non-negative finite number of milliseconds (got ${shown(blockDurationMs)})`,
    );
  }
  return Math.round(blockDurationMs);
}

/**
 * Reads the middleware's `limit` given to `init` when the store needs it (a lockout, an algorithm other than
 * the fixed window, the blocked-key cache): a non-negative integer. Returns `undefined` when not needed and
 * not a number; throws a `TypeError` naming the reason when needed and missing or a function.
 */
export function validateInitLimit(limit: unknown, neededFor: string | undefined): number | undefined {
  if (typeof limit === "number" && Number.isInteger(limit) && limit >= 0) return limit;
  if (neededFor === undefined) return undefined;
  throw new TypeError(
    `${PACKAGE}: DbStore needs the middleware's \`limit\` to be a non-negative integer for ${neededFor} (got ${shown(limit)}); a \`limit\` function is not supported there`,
  );
}

/**
 * Checks the rule Better Auth passes to `consume`: `window` in seconds (a positive finite number, at most
 * 1e12) and `max` (a non-negative integer). Returns the window in whole milliseconds (at least 1).
 */
export function validateConsumeRule(rule: unknown): { windowMs: number; max: number } {
  const { window, max } = (typeof rule === "object" && rule !== null ? rule : {}) as {
    window?: unknown;
    max?: unknown;
  };
  if (typeof window !== "number" || !Number.isFinite(window) || window <= 0 || window > 1e12) {
    throw new TypeError(
      `${PACKAGE}: DbStore.consume \`window\` must be a positive finite number of seconds (got ${shown(window)})`,
    );
  }
  if (typeof max !== "number" || !Number.isInteger(max) || max < 0 || max > 2_147_483_646) {
    throw new TypeError(`${PACKAGE}: DbStore.consume \`max\` must be a non-negative integer (got ${shown(max)})`);
  }
  return { windowMs: Math.max(1, Math.round(window * 1000)), max };
}
