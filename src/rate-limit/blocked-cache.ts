import { sql } from "drizzle-orm";
import type { AnyPgDatabase } from "../shared/database.js";
import { rowsOf } from "../shared/rows.js";
import { NOW_MS } from "./algorithms/sql.js";

/** A key known to be over its limit until `untilMs` (database clock). */
interface Entry {
  untilMs: number;
  /** What `increment` answers from memory: the last total the database gave plus this process's calls since. */
  totalHits: number;
  resetMs: number;
  /** Calls answered from memory (not sent to the database) that `decrement` may still take back. */
  local: number;
  /** For `consume`: the retry time (database clock) of the denial. */
  retryAtMs: number;
  /** Whether each call adds to `totalHits` (the store counts denied hits: fixed and sliding windows). */
  grows: boolean;
}

/** How long a measured offset between this process's clock and the database's is used. */
const OFFSET_TTL_MS = 60_000;

/**
 * The in-process cache of keys known to be over their limit (`blockedKeyCacheSize`): while the database clock
 * is before a key's `untilMs`, `increment` and `consume` answer from memory without a round trip. Times are the
 * database's: the offset between `Date.now()` and the database clock is measured with one `select` (at most once
 * a minute, in the background) and taken on the safe side (a key is released at the latest at `untilMs`, by at
 * most one round trip earlier). Until an offset is known, nothing is answered from memory.
 */
export class BlockedKeyCache {
  #entries = new Map<string, Entry>();
  #offset: number | undefined;
  #measuredAt = Number.NEGATIVE_INFINITY;
  #measuring = false;

  constructor(
    private readonly db: AnyPgDatabase,
    readonly maxKeys: number,
  ) {}

  /** The database clock now, as this process estimates it; `undefined` while no offset is known. */
  #dbNow(): number | undefined {
    const now = Date.now();
    if (now - this.#measuredAt > OFFSET_TTL_MS) this.#measure();
    return this.#offset === undefined ? undefined : now + this.#offset;
  }

  #measure(): void {
    if (this.#measuring) return;
    this.#measuring = true;
    const sent = Date.now();
    this.db
      .execute(sql`select ${NOW_MS} as now_ms`)
      .then((result) => {
        const row = rowsOf(result)[0];
        // The statement ran after `sent`: now_ms − sent is the largest offset possible, so the estimated
        // database time is never behind the real one (a block is never held past its end).
        this.#offset = Number(row?.now_ms) - sent;
        this.#measuredAt = Date.now();
      })
      .catch(() => {
        this.#measuredAt = Date.now(); // try again in a minute; meanwhile the last offset (if any) is used
      })
      .finally(() => {
        this.#measuring = false;
      });
  }

  /** The live entry of `id`, or `undefined` (an expired entry is dropped). */
  #live(id: string): Entry | undefined {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    const now = this.#dbNow();
    if (now === undefined) return undefined;
    if (now >= entry.untilMs) {
      this.#entries.delete(id);
      return undefined;
    }
    return entry;
  }

  /** `increment` from memory: one more call counted here, or `undefined` when the key is not known blocked. */
  hit(id: string): { totalHits: number; resetMs: number } | undefined {
    const entry = this.#live(id);
    if (!entry) return undefined;
    if (entry.grows) entry.totalHits++;
    entry.local++;
    return { totalHits: entry.totalHits, resetMs: entry.resetMs };
  }

  /** `consume` from memory: the seconds to wait (rounded up, at least 1), or `undefined` when not known blocked. */
  denial(id: string): number | undefined {
    const entry = this.#live(id);
    if (!entry) return undefined;
    const now = this.#dbNow() ?? entry.retryAtMs;
    return Math.max(1, Math.ceil((entry.retryAtMs - now) / 1000));
  }

  /** Takes back one call answered from memory; `false` when there is none (the database must be asked). */
  takeBack(id: string): boolean {
    const entry = this.#entries.get(id);
    if (!entry || entry.local === 0) return false;
    entry.local--;
    if (entry.grows) entry.totalHits--;
    return true;
  }

  /**
   * Remembers that `id` is over its limit until `untilMs` (database clock). `grows`: whether each call answered
   * from memory adds one to `totalHits` (as the store would count it) or leaves it (the token bucket, which does
   * not count a denied call).
   */
  block(id: string, untilMs: number, totalHits: number, resetMs: number, grows = true, retryAtMs = untilMs): void {
    if (this.maxKeys === 0) return;
    this.#dbNow(); // starts measuring the offset when none is known yet
    this.#entries.delete(id);
    if (this.#entries.size >= this.maxKeys) {
      const now = this.#dbNow() ?? Number.NEGATIVE_INFINITY;
      for (const [key, entry] of this.#entries) if (entry.untilMs <= now) this.#entries.delete(key);
      // Still full: forget the oldest entries (Map keeps insertion order).
      for (const key of this.#entries.keys()) {
        if (this.#entries.size < this.maxKeys) break;
        this.#entries.delete(key);
      }
    }
    this.#entries.set(id, { untilMs, totalHits, resetMs, local: 0, retryAtMs, grows });
  }

  /** Forgets every entry of the stored key `key` (`resetKey`), whatever its rule. */
  forget(key: string): void {
    for (const id of this.#entries.keys()) if (id === key || id.startsWith(`${key}\u0000`)) this.#entries.delete(id);
  }

  /** Forgets everything (`resetAll`). */
  clear(): void {
    this.#entries.clear();
  }

  /** How many keys are remembered (for tests and metrics). */
  get size(): number {
    return this.#entries.size;
  }
}
