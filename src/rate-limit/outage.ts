import { sql } from "drizzle-orm";
import type { AnyPgDatabase } from "../shared/database.js";
import { sqlStateOf } from "../shared/driver-error.js";
import { DbStoreError } from "./errors.js";

/**
 * What a `DbStore` does while its database is unreachable (the `onDatabaseError` option): `"fail"` rejects with
 * the `DbStoreError` (fail closed), `"allow"` lets every call through uncounted (fail open), `"memory"` counts in
 * this process's memory, in fixed windows, until the database answers again.
 */
export type OnDatabaseError = "fail" | "allow" | "memory";

/** While the database is down, one `select 1` is tried at most this often (milliseconds). */
export const PROBE_INTERVAL_MS = 1000;

/** At most this many keys are counted in memory during an outage; beyond it, expired and then oldest go. */
const MAX_MEMORY_KEYS = 100_000;

/**
 * Whether `error` says the database is out of reach rather than that a statement was wrong: a `DbStoreError`
 * without a PostgreSQL SQLSTATE (connection refused or lost, a client-side timeout, the pool ended or exhausted,
 * `maxQueueSize` reached), or with a connection exception (class 08), a server shutting down or starting
 * (57P01, 57P02, 57P03) or too many connections (53300). A missing table, a key's data error and the like are
 * not an outage: they still reject.
 */
export function isOutage(error: unknown): boolean {
  if (!(error instanceof DbStoreError)) return false;
  const state = sqlStateOf(error.cause);
  if (state === undefined) return true;
  return state.startsWith("08") || state === "57P01" || state === "57P02" || state === "57P03" || state === "53300";
}

interface Counter {
  count: number;
  resetMs: number;
}

/**
 * The outage state of one store: once a call meets an outage (`isOutage`), the store is `down` and answers by
 * its policy without trying the database; a `select 1` is tried at most every `PROBE_INTERVAL_MS`, and the
 * first that succeeds ends the outage (the in-memory counts are then dropped: the database's counts, kept
 * through the outage, apply again).
 */
export class OutageGuard {
  #down = false;
  #probing = false;
  #lastProbe = 0;
  #counters = new Map<string, Counter>();

  constructor(
    private readonly db: AnyPgDatabase,
    readonly policy: OnDatabaseError,
  ) {}

  /** Whether calls must take the policy's answer now (the database is known down); may start a probe. */
  get down(): boolean {
    if (!this.#down) return false;
    if (!this.#probing && Date.now() - this.#lastProbe >= PROBE_INTERVAL_MS) this.#probe();
    return this.#down;
  }

  /** Whether the policy takes over for `error` (and the store is now down); `false`: rethrow it. */
  takesOver(error: unknown): boolean {
    if (this.policy === "fail" || !isOutage(error)) return false;
    if (!this.#down) {
      this.#down = true;
      this.#lastProbe = Date.now();
    }
    return true;
  }

  #probe(): void {
    this.#probing = true;
    this.#lastProbe = Date.now();
    this.db
      .execute(sql`select 1`)
      .then(() => {
        this.#down = false;
        this.#counters.clear();
      })
      .catch(() => {})
      .finally(() => {
        this.#probing = false;
        this.#lastProbe = Date.now();
      });
  }

  /** One hit in memory (fixed window of `windowMs` from the key's first hit, this process's clock). */
  increment(id: string, windowMs: number): { totalHits: number; resetMs: number } {
    if (this.policy === "allow") return { totalHits: 0, resetMs: Date.now() + windowMs };
    const counter = this.#counter(id, windowMs);
    counter.count++;
    return { totalHits: counter.count, resetMs: counter.resetMs };
  }

  /** One `consume` in memory: allowed while the window has fewer than `max` calls; a denial counts nothing. */
  consume(id: string, windowMs: number, max: number): { allowed: boolean; retryAfter: number | null } {
    if (this.policy === "allow") return { allowed: true, retryAfter: null };
    const counter = this.#counter(id, windowMs);
    if (counter.count < max) {
      counter.count++;
      return { allowed: true, retryAfter: null };
    }
    return { allowed: false, retryAfter: Math.max(1, Math.ceil((counter.resetMs - Date.now()) / 1000)) };
  }

  /** One hit less in memory (never below 0). */
  decrement(id: string): void {
    const counter = this.#counters.get(id);
    if (counter && counter.count > 0 && counter.resetMs > Date.now()) counter.count--;
  }

  #counter(id: string, windowMs: number): Counter {
    const now = Date.now();
    let counter = this.#counters.get(id);
    if (!counter || counter.resetMs <= now) {
      this.#counters.delete(id);
      if (this.#counters.size >= MAX_MEMORY_KEYS) {
        for (const [key, c] of this.#counters) if (c.resetMs <= now) this.#counters.delete(key);
        for (const key of this.#counters.keys()) {
          if (this.#counters.size < MAX_MEMORY_KEYS) break;
          this.#counters.delete(key);
        }
      }
      counter = { count: 0, resetMs: now + windowMs };
      this.#counters.set(id, counter);
    }
    return counter;
  }
}
