import type { SQL } from "drizzle-orm";
import type { AnyPgDatabase } from "../shared/database.js";
import { rowsOf } from "../shared/rows.js";
import { DbStoreError } from "./errors.js";
import { retryOnDeadlock } from "./retry.js";
import { incrementStatement } from "./statements.js";

/** What one `increment` call gets: its own total and the window's end (Unix milliseconds). */
export interface Hit {
  totalHits: number;
  resetMs: number;
}

interface Waiter {
  resolve: (hit: Hit) => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces increments: while `maxInFlight` statements are running, new increments wait, and all that waited
 * go together in the next statement (distinct keys, each with its number of hits `n`). When fewer than
 * `maxInFlight` statements run, an increment is sent at the end of the current microtask queue, so an idle
 * store adds no delay.
 *
 * Each key's statement returns its new count `total`; the `n` callers of that key get `total − n + 1 … total`
 * in call order, so N concurrent increments of one key answer 1..N exactly, even across statements,
 * connections and processes (each statement updates the row atomically under its row lock).
 */
export class IncrementBatcher {
  #pending = new Map<string, Waiter[]>();
  #inFlight = 0;
  #scheduled = false;
  #idle: (() => void)[] = [];

  constructor(
    private readonly db: AnyPgDatabase,
    private readonly maxInFlight: number,
    private readonly maxBatchSize: number,
    private readonly windowMs: () => number,
  ) {}

  /** Queues one hit for `key` (already prefixed and checked). */
  add(key: string): Promise<Hit> {
    return new Promise<Hit>((resolve, reject) => {
      const waiters = this.#pending.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.#pending.set(key, [{ resolve, reject }]);
      this.#schedule();
    });
  }

  /** Resolves once nothing is queued or running. */
  drain(): Promise<void> {
    if (this.#inFlight === 0 && this.#pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.maxInFlight) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    while (this.#pending.size > 0 && this.#inFlight < this.maxInFlight) {
      const batch = this.#take();
      this.#inFlight++;
      void this.#run(batch).finally(() => {
        this.#inFlight--;
        if (this.#pending.size > 0) this.#flush();
        else if (this.#inFlight === 0) for (const resolve of this.#idle.splice(0)) resolve();
      });
    }
  }

  /** Takes up to `maxBatchSize` keys off the queue, sorted (the lock order every statement shares). */
  #take(): [string, Waiter[]][] {
    let entries: [string, Waiter[]][];
    if (this.#pending.size <= this.maxBatchSize) {
      entries = [...this.#pending];
      this.#pending = new Map();
    } else {
      entries = [];
      for (const entry of this.#pending) {
        entries.push(entry);
        if (entries.length === this.maxBatchSize) break;
      }
      for (const [key] of entries) this.#pending.delete(key);
    }
    return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  async #run(batch: [string, Waiter[]][]): Promise<void> {
    const keys = batch.map(([key]) => key);
    const counts = batch.map(([, waiters]) => waiters.length);
    let statement: SQL;
    let rows: Record<string, unknown>[];
    try {
      statement = incrementStatement(keys, counts, this.windowMs());
      rows = rowsOf(await retryOnDeadlock(() => this.db.execute(statement)));
    } catch (error) {
      const failure = new DbStoreError("increment", error);
      for (const [, waiters] of batch) for (const waiter of waiters) waiter.reject(failure);
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
        for (const waiter of waiters) waiter.reject(failure);
        continue;
      }
      const total = Number(row.count);
      const resetMs = Number(row.last_request);
      const first = total - waiters.length + 1;
      for (const [i, waiter] of waiters.entries()) waiter.resolve({ totalHits: first + i, resetMs });
    }
  }
}
