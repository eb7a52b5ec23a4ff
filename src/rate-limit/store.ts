import { type SQL, sql } from "drizzle-orm";
import type { AnyPgDatabase } from "../shared/database.js";
import { rowsOf } from "../shared/rows.js";
import {
  type ConsumeAnswer,
  type ConsumeParams,
  consumeAnswer,
  consumeStatement,
  type LockoutParams,
  lockoutIncrementAnswer,
  lockoutIncrementStatement,
} from "./algorithms/fixed-window.js";
import {
  type SlidingParams,
  type SlidingState,
  slidingDecrementStatement,
  slidingGet,
  slidingGetStatement,
  slidingRetryAt,
  slidingState,
  slidingStatement,
} from "./algorithms/sliding-window.js";
import { num } from "./algorithms/sql.js";
import {
  type BucketParams,
  type BucketState,
  bucketDecrementStatement,
  bucketGetStatement,
  bucketInterval,
  bucketState,
  bucketStatement,
  tokensInUse,
} from "./algorithms/token-bucket.js";
import { IncrementBatcher } from "./batcher.js";
import { BlockedKeyCache } from "./blocked-cache.js";
import { Coalescer } from "./coalescer.js";
import { DbStoreError } from "./errors.js";
import { storedKey } from "./keys.js";
import {
  type DbStoreAlgorithm,
  type DbStoreOptions,
  tableTextOf,
  validateConsumeRule,
  validateInitLimit,
  validateOptions,
  validateShutdownTimeout,
  validateWindowMs,
} from "./options.js";
import { OutageGuard } from "./outage.js";
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
 * The rule Better Auth passes to `consume`: `window` in seconds, `max` calls allowed per window (Better Auth's
 * `BetterAuthRateLimitRule`).
 */
export interface ConsumeRule {
  window: number;
  max: number;
}

/**
 * `consume`'s answer, Better Auth's `customStorage` result: `allowed`, and when denied `retryAfter`, the whole
 * seconds (at least 1, rounded up) until the key's window frees up; `null` when allowed.
 */
export interface ConsumeResult {
  allowed: boolean;
  retryAfter: number | null;
}

/**
 * A rate-limit `Store` for hono-rate-limiter and express-rate-limit on the `rate_limit` table, in the host's
 * own drizzle database, and Better Auth's `rateLimit.customStorage` (`consume`). By default fixed windows,
 * exactly as their `MemoryStore`: a key's window starts at its first hit and ends `windowMs` milliseconds later;
 * the first hit at or after that starts a new window with 1 hit. Options add a lockout (`blockDurationMs`),
 * other algorithms (`algorithm`: sliding window, token bucket), an in-process cache of blocked keys
 * (`blockedKeyCacheSize`) and an outage policy (`onDatabaseError`).
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

  /** The middleware's `limit` read by `init` when a number; `undefined` otherwise. */
  limit: number | undefined;

  readonly #db: AnyPgDatabase;
  readonly #batcher: IncrementBatcher;
  readonly #blockMs: number;
  readonly #consumer: Coalescer<ConsumeParams, ConsumeAnswer>;
  readonly #lockout: Coalescer<LockoutParams, { totalHits: number; resetMs: number }>;
  readonly #sliding: Coalescer<SlidingParams, Indexed<SlidingState>>;
  readonly #bucket: Coalescer<BucketParams, Indexed<BucketState>>;
  readonly #cache: BlockedKeyCache;
  readonly #outage: OutageGuard;
  /** The table as every statement names it (`"rate_limit"`, or `"auth"."rate_limit"`). */
  readonly #table: SQL;
  /** How hits are counted (the `algorithm` option). */
  readonly algorithm: DbStoreAlgorithm;

  /**
   * @param options `{ db, prefix?, table?, maxInFlight?, maxBatchSize?, maxQueueSize?, synchronousCommit?,
   *   preparedStatements?, blockDurationMs?, algorithm?, blockedKeyCacheSize?, onDatabaseError? }`, see
   *   `DbStoreOptions`. Does no I/O.
   * @throws {TypeError} naming the package when `db` is missing or not a drizzle database, `prefix` breaks its
   *   rule (1 to 64 UTF-8 bytes, ends with ":", no other ":", no NUL or lone surrogate), `maxInFlight` /
   *   `maxBatchSize` / `maxQueueSize` is not a positive integer, `synchronousCommit` / `preparedStatements` is
   *   not a boolean, `blockDurationMs` is not a non-negative finite number, `algorithm` / `onDatabaseError` is
   *   not one of its values, `blockedKeyCacheSize` is not a non-negative integer, `table` is not a drizzle table
   *   with the `rate_limit` columns, or `windowMs` is given here (it belongs to the middleware, which passes it to
   *   `init`).
   */
  constructor(options: DbStoreOptions) {
    const {
      db,
      prefix,
      maxInFlight,
      maxBatchSize,
      maxQueueSize,
      blockDurationMs,
      algorithm,
      blockedKeyCacheSize,
      synchronousCommit,
      preparedStatements,
      onDatabaseError,
      table,
    } = validateOptions(options);
    const tableText = tableTextOf(table);
    this.#table = sql.raw(tableText);
    this.#outage = new OutageGuard(db, onDatabaseError);
    this.#cache = new BlockedKeyCache(db, blockedKeyCacheSize);
    this.algorithm = algorithm;
    this.#db = db;
    this.prefix = prefix;
    this.#batcher = new IncrementBatcher(
      db,
      maxInFlight,
      maxBatchSize,
      maxQueueSize,
      () => this.#window(),
      { synchronousCommit, preparedStatements },
      tableText,
    );
    this.#blockMs = blockDurationMs;
    const limits = { maxInFlight, maxBatchSize, maxQueueSize };
    this.#consumer = new Coalescer(
      db,
      { operation: "consume", statement: (items) => consumeStatement(items, this.#table), answer: consumeAnswer },
      limits,
    );
    this.#lockout = new Coalescer(
      db,
      {
        operation: "increment",
        statement: (items) => lockoutIncrementStatement(items, this.#table),
        answer: lockoutIncrementAnswer,
      },
      limits,
    );
    this.#sliding = new Coalescer(
      db,
      {
        operation: "increment",
        statement: (items) => slidingStatement(items, this.#table),
        answer: indexed(slidingState),
      },
      limits,
    );
    this.#bucket = new Coalescer(
      db,
      {
        operation: "increment",
        statement: (items) => bucketStatement(items, this.#table),
        answer: indexed(bucketState),
      },
      limits,
    );
  }

  /**
   * Called once by the middleware with its options; reads `windowMs` (milliseconds, rounded to a whole
   * millisecond) and `limit` when it is a non-negative integer (a lockout, the other algorithms and the
   * blocked-key cache use it). Does no I/O and returns nothing.
   * @throws {TypeError} when `windowMs` is not a positive finite number (at most 1e15), or `limit` is not a
   *   non-negative integer while `blockDurationMs` or an algorithm other than `"fixed-window"` needs it.
   */
  init(options: { windowMs: number; limit?: unknown }): void {
    this.windowMs = validateWindowMs(options?.windowMs);
    this.limit = validateInitLimit(options?.limit, this.#needsLimit());
  }

  /**
   * The key's hits and window end, or `undefined` when the key has no running window (unknown or expired).
   * @throws {DbStoreError} (rejected) when the database fails; `TypeError` for a key PostgreSQL cannot store.
   */
  async get(key: string): Promise<DbStoreClientInfo | undefined> {
    if (this.algorithm === "sliding-window") {
      const windowMs = this.#window();
      const rows = await this.#query("get", slidingGetStatement(this.#key(key), this.#table));
      const info = slidingGet(rows[0], windowMs);
      return info && { totalHits: info.totalHits, resetTime: new Date(info.resetMs) };
    }
    if (this.algorithm === "token-bucket") {
      const interval = bucketInterval(this.#window(), this.#limit(`algorithm "token-bucket"`));
      const row = (await this.#query("get", bucketGetStatement(this.#key(key), this.#table)))[0];
      if (!row) return undefined;
      const tat = num(row, "last_request");
      return { totalHits: tokensInUse(tat, num(row, "now_ms"), interval), resetTime: new Date(tat) };
    }
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
    const windowMs = this.#window();
    const limit = this.limit;
    if (limit !== undefined) {
      const cached = this.#cache.hit(full);
      if (cached) return { totalHits: cached.totalHits, resetTime: new Date(cached.resetMs) };
    }
    if (this.#outage.down) return this.#fallbackIncrement(full, windowMs);
    let result: { totalHits: number; resetMs: number; blockedUntilMs: number };
    try {
      result = await this.#increment(full, windowMs);
    } catch (error) {
      if (this.#outage.takesOver(error)) return this.#fallbackIncrement(full, windowMs);
      throw error;
    }
    const { totalHits, resetMs, blockedUntilMs } = result;
    if (limit !== undefined && totalHits > limit) {
      this.#cache.block(full, blockedUntilMs, totalHits, resetMs, this.algorithm !== "token-bucket");
    }
    return { totalHits, resetTime: new Date(resetMs) };
  }

  /** One hit through the store's algorithm; `blockedUntilMs`: until when the key answers over its limit. */
  async #increment(
    full: string,
    windowMs: number,
  ): Promise<{ totalHits: number; resetMs: number; blockedUntilMs: number }> {
    if (this.algorithm === "sliding-window") {
      const max = this.#limit(`algorithm "sliding-window"`);
      const params = { windowMs, max, consume: 0 as const, blockMs: this.#blockMs };
      const state = await this.#sliding.add(full, params, `${windowMs}:${max}:0`);
      let totalHits = state.before + state.index + 1;
      let resetMs = state.start + state.windowMs;
      if (state.blockedUntil > state.nowMs && (state.wasBlocked || totalHits > max)) {
        // Locked out: over the limit until the block ends, whatever the estimate.
        totalHits = Math.max(totalHits, max + 1);
        resetMs = Math.max(resetMs, state.blockedUntil);
      }
      return { totalHits, resetMs, blockedUntilMs: slidingRetryAt(state, max) };
    }
    if (this.algorithm === "token-bucket") {
      const max = this.#limit(`algorithm "token-bucket"`);
      const interval = bucketInterval(windowMs, max);
      const state = await this.#bucket.add(full, { max, interval, blockMs: this.#blockMs }, `${max}:${interval}`);
      const totalHits =
        state.index < state.allowed ? tokensInUse(state.start, state.nowMs, interval) + state.index + 1 : max + 1;
      return { totalHits, resetMs: state.tat, blockedUntilMs: state.tat + interval - max * interval };
    }
    if (this.#blockMs > 0) {
      const limit = this.#limit("`blockDurationMs`");
      const hit = await this.#lockout.add(full, { windowMs, limit, blockMs: this.#blockMs }, "");
      return { ...hit, blockedUntilMs: hit.resetMs };
    }
    const hit = await this.#batcher.add(full);
    return { ...hit, blockedUntilMs: hit.resetMs };
  }

  /**
   * Better Auth's `customStorage.consume` (`rateLimit: { customStorage: store }`): records one call of `key`
   * against `rule` (`window` in seconds, `max` calls) and answers whether it is allowed. Fixed windows on the
   * database clock, as `increment`: a window starts at the key's first allowed call and ends `window` seconds
   * later. A denied call is not counted and changes nothing, except that with `blockDurationMs` the first
   * denial of a window starts the lockout (the window then ends `blockDurationMs` after that call at the
   * earliest). `retryAfter` is the whole seconds until the window ends (rounded up, at least 1), `null` when
   * allowed. One statement per call, coalesced with concurrent calls like `increment`; needs no `init`.
   * @throws {DbStoreError} (rejected, `operation` `"consume"`) when the database fails or `maxQueueSize` calls
   *   already wait; nothing is counted when PostgreSQL reported the failure (as for `increment`).
   * @throws {TypeError} (rejected) for a key PostgreSQL cannot store, a `window` that is not a positive finite
   *   number or a `max` that is not a non-negative integer.
   */
  async consume(key: string, rule: ConsumeRule): Promise<ConsumeResult> {
    const full = this.#key(key);
    const { windowMs, max } = validateConsumeRule(rule);
    const id = `${full}\u0000${windowMs}:${max}`;
    const cached = this.#cache.denial(id);
    if (cached !== undefined) return { allowed: false, retryAfter: cached };
    if (this.#outage.down) return this.#outage.consume(id, windowMs, max);
    let result: { allowed: boolean; retryAtMs: number; nowMs: number };
    try {
      result = await this.#consume(full, windowMs, max);
    } catch (error) {
      if (this.#outage.takesOver(error)) return this.#outage.consume(id, windowMs, max);
      throw error;
    }
    const { allowed, retryAtMs, nowMs } = result;
    if (allowed) return { allowed: true, retryAfter: null };
    this.#cache.block(id, retryAtMs, 0, retryAtMs, false);
    return { allowed: false, retryAfter: retryAfter(retryAtMs, nowMs) };
  }

  /** One `consume` through the store's algorithm; `retryAtMs`: when a denied key may call again. */
  async #consume(
    full: string,
    windowMs: number,
    max: number,
  ): Promise<{ allowed: boolean; retryAtMs: number; nowMs: number }> {
    if (this.algorithm === "sliding-window") {
      const state = await this.#slidingConsume(full, windowMs, max);
      const allowed = state.index < state.allowed;
      return { allowed, retryAtMs: allowed ? 0 : slidingRetryAt(state, max), nowMs: state.nowMs };
    }
    if (this.algorithm === "token-bucket") {
      const interval = bucketInterval(windowMs, max);
      const state = await this.#bucket.add(full, { max, interval, blockMs: this.#blockMs }, `${max}:${interval}`);
      return {
        allowed: state.index < state.allowed,
        retryAtMs: state.tat + interval - max * interval,
        nowMs: state.nowMs,
      };
    }
    const answer = await this.#consumer.add(full, { windowMs, max, blockMs: this.#blockMs }, `${windowMs}:${max}`);
    return { allowed: answer.allowed, retryAtMs: answer.resetMs, nowMs: answer.nowMs };
  }

  #slidingConsume(full: string, windowMs: number, max: number): Promise<Indexed<SlidingState>> {
    return this.#sliding.add(full, { windowMs, max, consume: 1, blockMs: this.#blockMs }, `${windowMs}:${max}:1`);
  }

  /**
   * Takes one hit back (express-rate-limit's `skipSuccessfulRequests` / `skipFailedRequests`): never below 0,
   * never moves a running window, does nothing on a finished one; on an unknown key it starts a window with 0
   * hits, as `MemoryStore` does.
   * @throws {DbStoreError} (rejected) when the database fails; `TypeError` before `init`.
   */
  async decrement(key: string): Promise<void> {
    const full = this.#key(key);
    const windowMs = this.#window();
    // A hit answered from the blocked-key cache never reached the database: take it back there.
    if (this.#cache.takeBack(full)) return;
    if (this.#outage.down) {
      this.#outage.decrement(full);
      return;
    }
    try {
      await this.#decrement(full, windowMs);
    } catch (error) {
      if (this.#outage.takesOver(error)) this.#outage.decrement(full);
      else throw error;
    }
  }

  async #decrement(full: string, windowMs: number): Promise<void> {
    if (this.algorithm === "sliding-window") {
      await this.#query("decrement", slidingDecrementStatement(full, windowMs, this.#table));
      return;
    }
    if (this.algorithm === "token-bucket") {
      const interval = bucketInterval(windowMs, this.#limit(`algorithm "token-bucket"`));
      await this.#query("decrement", bucketDecrementStatement(full, interval, this.#table));
      return;
    }
    await this.#query("decrement", decrementStatement(full, windowMs, this.#table));
  }

  /**
   * Forgets the key: its next hit starts a new window.
   * @throws {DbStoreError} (rejected) when the database fails.
   */
  async resetKey(key: string): Promise<void> {
    const full = this.#key(key);
    this.#cache.forget(full);
    await this.#query("resetKey", resetKeyStatement(full, this.#table));
  }

  /**
   * Forgets every key of this store (rows whose key starts with `prefix` and that `DbStore` wrote). Another
   * store's keys never start with this prefix (see the `prefix` rule), and Better Auth's rows in the same table
   * are never touched.
   * @throws {DbStoreError} (rejected) when the database fails.
   */
  async resetAll(): Promise<void> {
    this.#cache.clear();
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
      Promise.all([this.#batcher.drain(), ...this.#coalescers().map((c) => c.drain())]).then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (drained) return;
    const abandoned = this.#coalescers().reduce((sum, c) => sum + c.abandon(), this.#batcher.abandon());
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

  #coalescers(): { drain(): Promise<void>; abandon(): number }[] {
    return [this.#consumer, this.#lockout, this.#sliding, this.#bucket];
  }

  #fallbackIncrement(full: string, windowMs: number): DbStoreClientInfo {
    const { totalHits, resetMs } = this.#outage.increment(full, windowMs);
    return { totalHits, resetTime: new Date(resetMs) };
  }

  #needsLimit(): string | undefined {
    if (this.algorithm !== "fixed-window") return `algorithm ${JSON.stringify(this.algorithm)}`;
    if (this.#blockMs > 0) return "`blockDurationMs`";
    return undefined;
  }

  #limit(neededFor: string): number {
    if (this.limit === undefined) {
      throw new TypeError(
        `@be-monorepo/db: DbStore needs the middleware's \`limit\` (a non-negative integer, given to \`init\`) for ${neededFor}`,
      );
    }
    return this.limit;
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

/** A caller's answer with its place among the callers of its key in one statement (0-based). */
type Indexed<S> = S & { index: number };

/** Gives each of a key's `n` callers the key's state and its own index; `undefined` stays (send again). */
function indexed<P, S>(state: (row: Record<string, unknown>) => S | undefined) {
  return (row: Record<string, unknown>, item: { n: number; params: P }): Indexed<S>[] | undefined => {
    const s = state(row);
    if (s === undefined) return undefined;
    return Array.from({ length: item.n }, (_, index) => ({ ...s, index }));
  };
}

/** Better Auth's `retryAfter`: whole seconds from `nowMs` to `atMs`, rounded up, at least 1. */
function retryAfter(atMs: number, nowMs: number): number {
  return Math.max(1, Math.ceil((atMs - nowMs) / 1000));
}
