import { createHash } from "node:crypto";
import { entityKind, is } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
import type { AnyPgDatabase } from "../shared/database.js";
import { sqlStateOf } from "../shared/driver-error.js";
import { rowsOf } from "../shared/rows.js";
import { DbStoreError } from "./errors.js";
import { mayBelongToOneKey, retryOnDeadlock } from "./retry.js";
import { DEFAULT_TABLE_TEXT, incrementStatement, incrementText } from "./statements.js";

/** What one `increment` call gets: its own total and the window's end (Unix milliseconds). */
export interface Hit {
  totalHits: number;
  resetMs: number;
}

interface Waiter {
  resolve: (hit: Hit) => void;
  reject: (error: unknown) => void;
  /** Set once the caller has its answer (so that `abandon` counts only those still waiting). */
  done?: true;
}

type Batch = [string, Waiter[]][];

/** What the batcher needs of node-postgres's `Pool` or `Client`: a query with a name (a prepared statement). */
interface NodePgQueryable {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: Record<string, unknown>[] }>;
}

/**
 * The node-postgres `Pool` or `Client` behind `db` when `db` is a drizzle node-postgres database (not a
 * transaction: a statement there must stay in the host's transaction, which drizzle's session holds);
 * `undefined` for any other driver. Recognised by drizzle's own entity kind of its session.
 */
function nodePgClientOf(db: AnyPgDatabase): NodePgQueryable | undefined {
  if (is(db, PgTransaction)) return undefined;
  const session = db._?.session as unknown as { client?: unknown } | undefined;
  const kind = (session?.constructor as { [entityKind]?: string } | undefined)?.[entityKind];
  const client = session?.client as Partial<NodePgQueryable> | undefined;
  return kind === "NodePgSession" && typeof client?.query === "function" ? (client as NodePgQueryable) : undefined;
}

/**
 * PostgreSQL's `invalid_sql_statement_name` (26000) and `duplicate_prepared_statement` (42P05): what a named
 * statement meets behind a pooler that hands each transaction another server connection and does not track
 * prepared statements (PgBouncer in transaction mode before 1.21, or without `max_prepared_statements`). The
 * statement did not run.
 */
const PREPARED_STATEMENT_LOST = new Set(["26000", "42P05"]);

/** How the increment statements are sent (see `DbStoreOptions`). */
export interface IncrementTuning {
  synchronousCommit: boolean;
  preparedStatements: boolean;
}

/**
 * Coalesces increments: while `maxInFlight` statements are running, new increments wait, and all that waited
 * go together in the next statement (distinct keys, each with its number of hits `n`). When fewer than
 * `maxInFlight` statements run, an increment is sent at the end of the current microtask queue, so an idle
 * store adds no delay. At most `maxQueueSize` increments wait; beyond that `add` rejects at once.
 *
 * Each key's statement returns its new count `total`; the `n` callers of that key get `total − n + 1 … total`
 * in call order, so N concurrent increments of one key answer 1..N exactly, even across statements,
 * connections and processes (each statement updates the row atomically under its row lock).
 *
 * When a statement fails with an error that one of its keys may have caused (see `mayBelongToOneKey`), each
 * half of its keys is sent again on its own, down to single keys, so that only the callers of the failing key
 * get the error. This is safe because the failed statement changed nothing: every hit is still counted once.
 */
export class IncrementBatcher {
  #pending = new Map<string, Waiter[]>();
  /** Calls waiting in `#pending`. */
  #queued = 0;
  /** The batches whose statement is running. */
  #running = new Set<Batch>();
  #scheduled = false;
  #idle: (() => void)[] = [];
  /** node-postgres's pool or client, when that is the driver and `db` is not a transaction. */
  readonly #nodePg: NodePgQueryable | undefined;
  readonly #text: string;
  readonly #synchronousCommit: boolean;
  /** The name of the prepared statement, while named statements are used. */
  #name: string | undefined;

  constructor(
    private readonly db: AnyPgDatabase,
    private readonly maxInFlight: number,
    private readonly maxBatchSize: number,
    private readonly maxQueueSize: number,
    private readonly windowMs: () => number,
    tuning: IncrementTuning = { synchronousCommit: true, preparedStatements: false },
    private readonly tableText: string = DEFAULT_TABLE_TEXT,
  ) {
    this.#nodePg = nodePgClientOf(db);
    // In the host's transaction, synchronous_commit would change for all of it: leave it alone there.
    this.#synchronousCommit = tuning.synchronousCommit || is(db, PgTransaction);
    this.#text = incrementText(this.#synchronousCommit, tableText);
    // One name per statement text: connections that prepared another text (the other synchronous_commit, or
    // another table) never see this name.
    const table =
      tableText === DEFAULT_TABLE_TEXT ? "" : `_${createHash("sha256").update(tableText).digest("hex").slice(0, 16)}`;
    this.#name =
      tuning.preparedStatements && this.#nodePg
        ? `be_db_rate_limit_increment_v1_${this.#synchronousCommit ? "s" : "a"}${table}`
        : undefined;
  }

  /** Whether the increments go as a named (prepared) statement; false after a pooler refused one. */
  get prepared(): boolean {
    return this.#name !== undefined;
  }

  /**
   * Queues one hit for `key` (already prefixed and checked). Rejects at once with a `DbStoreError` (nothing
   * sent, nothing counted) when `maxQueueSize` increments are already waiting.
   */
  add(key: string): Promise<Hit> {
    if (this.#queued >= this.maxQueueSize) {
      return Promise.reject(
        new DbStoreError(
          "increment",
          new Error(
            `${this.#queued} increments are already waiting for the database (maxQueueSize ${this.maxQueueSize}); this one was not sent and not counted`,
          ),
        ),
      );
    }
    this.#queued++;
    return new Promise<Hit>((resolve, reject) => {
      const waiters = this.#pending.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.#pending.set(key, [{ resolve, reject }]);
      this.#schedule();
    });
  }

  /** Resolves once nothing is queued or running. */
  drain(): Promise<void> {
    if (this.#running.size === 0 && this.#pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /**
   * Rejects every caller still waiting, with a `DbStoreError` that says what became of its hit: increments
   * still queued are dropped (never sent, not counted); those whose statement is running stay in it (the
   * database may still count them). Returns how many callers it rejected.
   */
  abandon(): number {
    let rejected = 0;
    const notSent = new DbStoreError(
      "increment",
      new Error("the store was shut down before this increment was sent to the database; it was not counted"),
    );
    for (const waiters of this.#pending.values()) {
      for (const waiter of waiters) {
        waiter.done = true;
        waiter.reject(notSent);
        rejected++;
      }
    }
    this.#pending = new Map();
    this.#queued = 0;
    const running = new DbStoreError(
      "increment",
      new Error(
        "the store was shut down while this increment's statement was running; the database may still count it",
      ),
    );
    for (const batch of this.#running) {
      for (const [, waiters] of batch) {
        for (const waiter of waiters) {
          if (waiter.done) continue;
          waiter.done = true;
          waiter.reject(running);
          rejected++;
        }
      }
    }
    if (this.#running.size === 0) this.#settleIdle();
    return rejected;
  }

  #schedule(): void {
    if (this.#scheduled || this.#running.size >= this.maxInFlight) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    while (this.#pending.size > 0 && this.#running.size < this.maxInFlight) {
      const batch = this.#take();
      this.#running.add(batch);
      void this.#send(batch).finally(() => {
        this.#running.delete(batch);
        if (this.#pending.size > 0) this.#flush();
        else if (this.#running.size === 0) this.#settleIdle();
      });
    }
  }

  #settleIdle(): void {
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  /** Takes up to `maxBatchSize` keys off the queue, sorted (the lock order every statement shares). */
  #take(): Batch {
    let entries: Batch;
    if (this.#pending.size <= this.maxBatchSize) {
      entries = [...this.#pending];
      this.#pending = new Map();
      this.#queued = 0;
    } else {
      entries = [];
      for (const entry of this.#pending) {
        entries.push(entry);
        this.#queued -= entry[1].length;
        if (entries.length === this.maxBatchSize) break;
      }
      for (const [key] of entries) this.#pending.delete(key);
    }
    return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Runs one statement for `batch` and answers its callers; on a failure one key may have caused, splits it. */
  async #send(batch: Batch): Promise<void> {
    const keys = batch.map(([key]) => key);
    const counts = batch.map(([, waiters]) => waiters.length);
    let rows: Record<string, unknown>[];
    try {
      rows = await retryOnDeadlock(() => this.#run(keys, counts));
    } catch (error) {
      if (batch.length > 1 && mayBelongToOneKey(error)) {
        // The failed statement changed nothing: send each half again, sequentially (one connection, sorted
        // halves keep the shared lock order), until the key that fails is alone in its statement.
        const half = batch.length >>> 1;
        await this.#send(batch.slice(0, half));
        await this.#send(batch.slice(half));
        return;
      }
      const failure = new DbStoreError("increment", error);
      for (const [, waiters] of batch) for (const waiter of waiters) fail(waiter, failure);
      return;
    }
    const byKey = new Map<string, Record<string, unknown>>();
    for (const row of rows) byKey.set(row.key as string, row);
    for (const [key, waiters] of batch) {
      const row = byKey.get(key);
      if (!row) {
        const failure = new DbStoreError(
          "increment",
          new Error(`the upsert returned no row for key ${JSON.stringify(key)}`),
        );
        for (const waiter of waiters) fail(waiter, failure);
        continue;
      }
      const total = Number(row.count);
      const resetMs = Number(row.last_request);
      const first = total - waiters.length + 1;
      for (const [i, waiter] of waiters.entries()) {
        waiter.done = true;
        waiter.resolve({ totalHits: first + i, resetMs });
      }
    }
  }

  /**
   * Runs one increment statement. On node-postgres it goes to the pool directly, as a named statement while
   * `preparedStatements` holds (PostgreSQL then parses and plans it once per connection); a named statement
   * that the pooler lost (see `PREPARED_STATEMENT_LOST`) did not run, so it is sent again unnamed, and so are all
   * later ones of this store. Other drivers get the same statement through drizzle's `db.execute`.
   */
  async #run(keys: string[], counts: number[]): Promise<Record<string, unknown>[]> {
    const windowMs = this.windowMs();
    if (!this.#nodePg)
      return rowsOf(
        await this.db.execute(incrementStatement(keys, counts, windowMs, this.#synchronousCommit, this.tableText)),
      );
    const values = [keys, counts, windowMs];
    const name = this.#name;
    if (name === undefined) return (await this.#nodePg.query({ text: this.#text, values })).rows;
    try {
      return (await this.#nodePg.query({ name, text: this.#text, values })).rows;
    } catch (error) {
      if (!PREPARED_STATEMENT_LOST.has(sqlStateOf(error) ?? "")) throw error;
      this.#name = undefined;
      return (await this.#nodePg.query({ text: this.#text, values })).rows;
    }
  }
}

function fail(waiter: Waiter, failure: DbStoreError): void {
  waiter.done = true;
  waiter.reject(failure);
}
