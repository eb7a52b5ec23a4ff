import type { SQL } from "drizzle-orm";
import type { AnyPgDatabase } from "../shared/database.js";
import { rowsOf } from "../shared/rows.js";
import { IncrementBatcher } from "./batcher.js";
import { DbStoreError } from "./errors.js";
import { storedKey } from "./keys.js";
import {
  type DbStoreOptions,
  tableNameOf,
  validateOptions,
  validateShutdownTimeout,
  validateWindowMs,
} from "./options.js";
import { retryOnDeadlock } from "./retry.js";
import {
  decrementStatement,
  getStatement,
  pruneStatement,
  resetAllStatement,
  resetKeyStatement,
} from "./statements.js";

/**
 * A client's hits in its current window: `totalHits` (a count) and `resetTime`, when the window ends
 * (window start + `windowMs`, database clock). Assignable to the `ClientRateLimitInfo` of both
 * express-rate-limit and hono-rate-limiter.
 */
export interface DbStoreClientInfo {
  totalHits: number;
  resetTime: Date;
}

/**
 * A rate-limit `Store` for hono-rate-limiter and express-rate-limit on the `rate_limit` table, in the host's
 * own drizzle database. Fixed windows, exactly as their `MemoryStore`: a key's window starts at its first hit
 * and ends `windowMs` milliseconds later; the first hit at or after that starts a new window with 1 hit.
 *
 * Every operation is one atomic SQL statement timed by the database clock; concurrent increments from any
 * number of connections or processes are never lost. Increments that arrive while statements are running are
 * coalesced into one multi-row upsert (see `maxInFlight`).
 *
 * ```ts
 * const limiter = rateLimiter({ windowMs: 60_000, limit: 100, keyGenerator, store: new DbStore({ db }) });
 * ```
 *
 * @throws {TypeError} from the constructor for bad options (missing `db`, non-string `prefix`, …), and from
 * `init` for a `windowMs` that is not a positive finite number; the messages name `@be-monorepo/db`.
 */
export class DbStore {
  /** Keys live in the database, shared by every instance and process (express-rate-limit's double-count check). */
  readonly localKeys = false;
  /** Put before every key in the `key` column. */
  readonly prefix: string;
  /** The window length in milliseconds, set by `init`; `undefined` before. */
  windowMs: number | undefined;

  readonly #db: AnyPgDatabase;
  /** The table's name as every statement writes it (`"rate_limit"`, or `"auth"."rate_limit"`). */
  readonly #table: SQL;
  readonly #batcher: IncrementBatcher;

  /**
   * @param options `{ db, table?, prefix?, maxInFlight?, maxBatchSize?, maxQueueSize? }`, see `DbStoreOptions`.
   *   Does no I/O.
   * @throws {TypeError} naming the package when `db` is missing or not a drizzle database, `prefix` breaks its
   *   rule (1 to 64 UTF-8 bytes, ends with ":", no other ":", no NUL or lone surrogate), `maxInFlight` /
   *   `maxBatchSize` / `maxQueueSize` is not a positive integer, or `windowMs` is given here (it belongs to
   *   the middleware, which passes it to `init`), or `table` is not a drizzle table with the `rate_limit` columns.
   */
  constructor(options: DbStoreOptions) {
    const { db, prefix, maxInFlight, maxBatchSize, maxQueueSize, table } = validateOptions(options);
    this.#db = db;
    this.prefix = prefix;
    this.#table = tableNameOf(table);
    this.#batcher = new IncrementBatcher(
      db,
      maxInFlight,
      maxBatchSize,
      maxQueueSize,
      () => this.#window(),
      this.#table,
    );
  }

  /**
   * Called once by the middleware with its options; reads `windowMs` (milliseconds, rounded to a whole
   * millisecond). Does no I/O and returns nothing.
   * @throws {TypeError} when `windowMs` is not a positive finite number (at most 1e15).
   */
  init(options: { windowMs: number }): void {
    this.windowMs = validateWindowMs(options?.windowMs);
  }

  /**
   * The key's hits and window end, or `undefined` when the key has no running window (unknown or expired).
   * @throws {DbStoreError} (rejected) when the database fails; `TypeError` for a key PostgreSQL cannot store.
   */
  async get(key: string): Promise<DbStoreClientInfo | undefined> {
    const rows = await this.#query("get", getStatement(this.#key(key), this.#table));
    const row = rows[0];
    if (!row) return undefined;
    return { totalHits: Number(row.count), resetTime: new Date(Number(row.last_request)) };
  }

  /**
   * Counts one hit and returns the key's hits so far in its window (this call's own total: N concurrent calls
   * get 1..N) and the window's end. Starts a new window when there is none or the last one is over.
   * @throws {DbStoreError} (rejected) when the database fails, when `maxQueueSize` increments are already
   *   waiting, or when `shutdown` gave up on it (see `DbStoreError` for when the hit is then not counted);
   *   `TypeError` for a key PostgreSQL cannot store or when `init` has not been given a valid `windowMs`.
   */
  async increment(key: string): Promise<DbStoreClientInfo> {
    const full = this.#key(key);
    this.#window();
    const hit = await this.#batcher.add(full);
    return { totalHits: hit.totalHits, resetTime: new Date(hit.resetMs) };
  }

  /**
   * Takes one hit back (express-rate-limit's `skipSuccessfulRequests` / `skipFailedRequests`): never below 0,
   * never moves a running window, does nothing on a finished one; on an unknown key it starts a window with 0
   * hits, as `MemoryStore` does.
   * @throws {DbStoreError} (rejected) when the database fails; `TypeError` before `init`.
   */
  async decrement(key: string): Promise<void> {
    const full = this.#key(key);
    await this.#query("decrement", decrementStatement(full, this.#window(), this.#table));
  }

  /**
   * Forgets the key: its next hit starts a new window.
   * @throws {DbStoreError} (rejected) when the database fails.
   */
  async resetKey(key: string): Promise<void> {
    await this.#query("resetKey", resetKeyStatement(this.#key(key), this.#table));
  }

  /**
   * Forgets every key of this store (rows whose key starts with `prefix` and that `DbStore` wrote). Another
   * store's keys never start with this prefix (see the `prefix` rule), and Better Auth's rows in the same table
   * are never touched.
   * @throws {DbStoreError} (rejected) when the database fails.
   */
  async resetAll(): Promise<void> {
    await this.#query("resetAll", resetAllStatement(this.prefix, this.#table));
  }

  /**
   * Deletes this store's rows whose window is over, `batchSize` rows per statement (each its own short
   * transaction that skips rows an increment holds), until a statement deletes fewer than `batchSize`.
   * Returns how many rows it deleted. Call it on a timer (see docs/rate-limit.md); expired rows are harmless
   * meanwhile, only space.
   * @param options.batchSize rows per statement, a positive integer. Defaults to `1000`.
   * @throws {DbStoreError} (rejected) when the database fails (rows deleted by earlier statements stay deleted).
   * @throws {TypeError} (rejected) for a bad `batchSize`.
   */
  async prune(options: { batchSize?: number } = {}): Promise<number> {
    const { batchSize = 1000 } = options;
    if (!Number.isInteger(batchSize) || batchSize <= 0) {
      throw new TypeError(`@be-monorepo/db: DbStore.prune \`batchSize\` must be a positive integer (got ${batchSize})`);
    }
    let total = 0;
    for (;;) {
      const rows = await this.#query("prune", pruneStatement(this.prefix, batchSize, this.#table));
      const deleted = Number(rows[0]?.deleted ?? 0);
      total += deleted;
      if (deleted < batchSize) return total;
    }
  }

  /**
   * Waits for the increments already queued or running to finish, at most `timeoutMs` milliseconds. Never
   * closes the host's database; the store stays usable afterwards.
   *
   * When increments are still waiting after `timeoutMs` (the database stopped answering), each of their callers
   * is rejected with a `DbStoreError`: an increment still queued was never sent and is not counted; one whose
   * statement is running may still be counted by the database. `shutdown` then rejects too.
   * @param options.timeoutMs how long to wait, in milliseconds (a non-negative finite number). Defaults to
   *   `10000`.
   * @throws {DbStoreError} (rejected, `operation` `"shutdown"`) when it gave up waiting.
   * @throws {TypeError} (rejected) for a bad `timeoutMs`.
   */
  async shutdown(options: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = validateShutdownTimeout(options?.timeoutMs ?? 10_000);
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      this.#batcher.drain().then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (drained) return;
    const abandoned = this.#batcher.abandon();
    if (abandoned === 0) return;
    throw new DbStoreError(
      "shutdown",
      new Error(
        `${abandoned} increments were still waiting for the database after ${timeoutMs} ms; their callers were rejected`,
      ),
    );
  }

  #window(): number {
    if (this.windowMs === undefined) {
      throw new TypeError(
        "@be-monorepo/db: DbStore has no `windowMs` yet; the middleware calls `init({ windowMs })`, or call it yourself",
      );
    }
    return this.windowMs;
  }

  #key(key: string): string {
    return storedKey(this.prefix, key);
  }

  async #query(operation: string, statement: SQL): Promise<Record<string, unknown>[]> {
    try {
      return rowsOf(await retryOnDeadlock(() => this.#db.execute(statement)));
    } catch (error) {
      throw new DbStoreError(operation, error);
    }
  }
}
