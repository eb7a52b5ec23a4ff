import type { SQL } from "drizzle-orm";
import type { AnyPgDatabase } from "../shared/database.js";
import { rowsOf } from "../shared/rows.js";
import { DbStoreError } from "./errors.js";
import { mayBelongToOneKey, retryOnDeadlock } from "./retry.js";

/** One key of a coalesced statement: its stored key, the parameters its callers share, and how many call. */
export interface Item<P> {
  key: string;
  params: P;
  n: number;
}

/**
 * What a coalesced operation runs: `statement` for distinct keys (sorted), and `answer`, which turns the row the
 * statement returned for one key into the answers of its `n` callers, in call order. `answer` returns
 * `undefined` when the statement did not write the key (it lost a race to create the row): its callers are
 * then sent again in the next statement, which is safe because nothing was counted for them.
 */
export interface Plan<P, A> {
  operation: string;
  statement(items: Item<P>[]): SQL;
  answer(row: Record<string, unknown>, item: Item<P>): A[] | undefined;
}

interface Waiter<A> {
  resolve: (answer: A) => void;
  reject: (error: unknown) => void;
  done?: true;
}

interface Entry<P, A> {
  key: string;
  params: P;
  waiters: Waiter<A>[];
  /** How many times these callers were sent again after a lost race. */
  retries: number;
}

/** A key whose row the statement did not write is sent again at most this many times. */
const MAX_RETRIES = 5;

/**
 * Coalesces calls the way `IncrementBatcher` does (see it for the rules: `maxInFlight` statements at once, all
 * that waited go together in the next one, distinct keys sorted so that statements lock rows in one order, at
 * most `maxQueueSize` calls waiting, halving on an error one key may have caused), for any `Plan`: calls on the
 * same key with the same parameters (`group`) are summed into one item; calls on the same key with other
 * parameters wait for the next statement, since one upsert may not touch a row twice.
 */
export class Coalescer<P, A> {
  #pending = new Map<string, Entry<P, A>>();
  #queued = 0;
  #running = new Set<Entry<P, A>[]>();
  #scheduled = false;
  #idle: (() => void)[] = [];

  constructor(
    private readonly db: AnyPgDatabase,
    private readonly plan: Plan<P, A>,
    private readonly limits: { maxInFlight: number; maxBatchSize: number; maxQueueSize: number },
  ) {}

  /**
   * Queues one call for `key` (already prefixed and checked) with `params`; `group` identifies the parameters
   * (calls with the same key and group are summed). Rejects at once with a `DbStoreError` when `maxQueueSize`
   * calls are already waiting (nothing sent, nothing counted).
   */
  add(key: string, params: P, group: string): Promise<A> {
    if (this.#queued >= this.limits.maxQueueSize) {
      return Promise.reject(
        new DbStoreError(
          this.plan.operation,
          new Error(
            `${this.#queued} calls are already waiting for the database (maxQueueSize ${this.limits.maxQueueSize}); this one was not sent and not counted`,
          ),
        ),
      );
    }
    this.#queued++;
    return new Promise<A>((resolve, reject) => {
      const id = `${key}\u0000${group}`;
      const entry = this.#pending.get(id);
      if (entry) entry.waiters.push({ resolve, reject });
      else this.#pending.set(id, { key, params, waiters: [{ resolve, reject }], retries: 0 });
      this.#schedule();
    });
  }

  /** Resolves once nothing is queued or running. */
  drain(): Promise<void> {
    if (this.#running.size === 0 && this.#pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Rejects every caller still waiting (see `IncrementBatcher.abandon`); returns how many. */
  abandon(): number {
    let rejected = 0;
    const notSent = new DbStoreError(
      this.plan.operation,
      new Error("the store was shut down before this call was sent to the database; it was not counted"),
    );
    for (const entry of this.#pending.values()) {
      for (const waiter of entry.waiters) {
        waiter.done = true;
        waiter.reject(notSent);
        rejected++;
      }
    }
    this.#pending = new Map();
    this.#queued = 0;
    const running = new DbStoreError(
      this.plan.operation,
      new Error("the store was shut down while this call's statement was running; the database may still count it"),
    );
    for (const batch of this.#running) {
      for (const entry of batch) {
        for (const waiter of entry.waiters) {
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
    if (this.#scheduled || this.#running.size >= this.limits.maxInFlight) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    while (this.#pending.size > 0 && this.#running.size < this.limits.maxInFlight) {
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

  /** Up to `maxBatchSize` entries with distinct keys, sorted by key (the lock order every statement shares). */
  #take(): Entry<P, A>[] {
    const batch: Entry<P, A>[] = [];
    const keys = new Set<string>();
    for (const [id, entry] of this.#pending) {
      if (keys.has(entry.key)) continue;
      keys.add(entry.key);
      batch.push(entry);
      this.#pending.delete(id);
      this.#queued -= entry.waiters.length;
      if (batch.length === this.limits.maxBatchSize) break;
    }
    return batch.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async #send(batch: Entry<P, A>[]): Promise<void> {
    const items = batch.map(({ key, params, waiters }) => ({ key, params, n: waiters.length }));
    let rows: Record<string, unknown>[];
    try {
      const statement = this.plan.statement(items);
      rows = rowsOf(await retryOnDeadlock(() => this.db.execute(statement)));
    } catch (error) {
      if (batch.length > 1 && mayBelongToOneKey(error)) {
        const half = batch.length >>> 1;
        await this.#send(batch.slice(0, half));
        await this.#send(batch.slice(half));
        return;
      }
      const failure = new DbStoreError(this.plan.operation, error);
      for (const entry of batch) for (const waiter of entry.waiters) settle(waiter, failure);
      return;
    }
    const byKey = new Map<string, Record<string, unknown>>();
    for (const row of rows) byKey.set(row.key as string, row);
    for (const [i, entry] of batch.entries()) {
      const row = byKey.get(entry.key);
      const answers = row ? this.plan.answer(row, items[i] as Item<P>) : undefined;
      if (answers) {
        for (const [j, waiter] of entry.waiters.entries()) {
          if (waiter.done) continue;
          waiter.done = true;
          waiter.resolve(answers[j] as A);
        }
        continue;
      }
      if (row && entry.retries < MAX_RETRIES) {
        // Lost a race to create the row: nothing was counted for these callers; send them again.
        entry.retries++;
        this.#requeue(entry);
        continue;
      }
      const failure = new DbStoreError(
        this.plan.operation,
        new Error(`the statement returned no answer for key ${JSON.stringify(entry.key)}`),
      );
      for (const waiter of entry.waiters) settle(waiter, failure);
    }
  }

  #requeue(entry: Entry<P, A>): void {
    const id = `${entry.key}\u0000retry${entry.retries}\u0000${Math.random()}`;
    this.#pending.set(id, entry);
    this.#queued += entry.waiters.length;
    this.#schedule();
  }
}

function settle<A>(waiter: Waiter<A>, failure: DbStoreError): void {
  if (waiter.done) return;
  waiter.done = true;
  waiter.reject(failure);
}
