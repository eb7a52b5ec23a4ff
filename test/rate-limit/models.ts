/**
 * Small in-memory reference models of `DbStore`'s sliding-window counter and token bucket, written from the
 * algorithms' definitions (one call at a time, times given explicitly), for the differential tests. Retry times
 * are found by search (the first millisecond at which one more call would be allowed), not by formula.
 */

export interface Info {
  totalHits: number;
  resetTime: number;
}

interface Window {
  start: number;
  count: number;
  previous: number;
}

/** Sliding-window counter: windows of `windowMs` anchored at a key's first hit, weighted previous window. */
export class SlidingWindowModel {
  keys = new Map<string, Window>();
  constructor(readonly windowMs: number) {}

  clone(): SlidingWindowModel {
    const copy = new SlidingWindowModel(this.windowMs);
    copy.keys = new Map([...this.keys].map(([k, v]) => [k, { ...v }]));
    return copy;
  }

  #at(key: string, now: number): Window {
    const w = this.windowMs;
    const s = this.keys.get(key);
    if (!s || now >= s.start + 2 * w) return { start: now, count: 0, previous: 0 };
    if (now >= s.start + w) return { start: s.start + w, count: 0, previous: s.count };
    return { ...s };
  }

  #estimate(s: Window, now: number): number {
    return Math.floor((s.previous * (this.windowMs - (now - s.start))) / this.windowMs) + s.count;
  }

  increment(key: string, now: number): Info {
    const s = this.#at(key, now);
    s.count++;
    this.keys.set(key, s);
    return { totalHits: this.#estimate(s, now), resetTime: s.start + this.windowMs };
  }

  get(key: string, now: number): Info | undefined {
    const stored = this.keys.get(key);
    if (!stored || now >= stored.start + 2 * this.windowMs) return undefined;
    const s = this.#at(key, now);
    return { totalHits: this.#estimate(s, now), resetTime: s.start + this.windowMs };
  }

  #allowed(key: string, now: number, max: number): boolean {
    return this.#estimate(this.#at(key, now), now) + 1 <= max;
  }

  consume(key: string, now: number, max: number): { allowed: boolean; retryAfter: number | null } {
    if (this.#allowed(key, now, max)) {
      const s = this.#at(key, now);
      s.count++;
      this.keys.set(key, s);
      return { allowed: true, retryAfter: null };
    }
    let t = now;
    while (!this.#allowed(key, t, max)) t++;
    return { allowed: false, retryAfter: Math.max(1, Math.ceil((t - now) / 1000)) };
  }
}

/** Token bucket of `max` tokens, one refilled every `ceil(windowMs / max)` ms. */
export class TokenBucketModel {
  tat = new Map<string, number>();
  readonly interval: number;
  constructor(
    readonly windowMs: number,
    readonly max: number,
  ) {
    this.interval = Math.ceil(windowMs / max);
  }

  clone(): TokenBucketModel {
    const copy = new TokenBucketModel(this.windowMs, this.max);
    copy.tat = new Map(this.tat);
    return copy;
  }

  #free(key: string, now: number): boolean {
    const tat = Math.max(this.tat.get(key) ?? now, now);
    return tat + this.interval - now <= this.max * this.interval;
  }

  increment(key: string, now: number): Info {
    const tat = Math.max(this.tat.get(key) ?? now, now);
    if (!this.#free(key, now)) return { totalHits: this.max + 1, resetTime: tat };
    this.tat.set(key, tat + this.interval);
    return { totalHits: Math.ceil((tat + this.interval - now) / this.interval), resetTime: tat + this.interval };
  }

  get(key: string, now: number): Info | undefined {
    const tat = this.tat.get(key);
    if (tat === undefined || tat <= now) return undefined;
    return { totalHits: Math.ceil((tat - now) / this.interval), resetTime: tat };
  }

  consume(key: string, now: number): { allowed: boolean; retryAfter: number | null } {
    if (this.#free(key, now)) {
      this.tat.set(key, Math.max(this.tat.get(key) ?? now, now) + this.interval);
      return { allowed: true, retryAfter: null };
    }
    let t = now;
    while (!this.#free(key, t)) t++;
    return { allowed: false, retryAfter: Math.max(1, Math.ceil((t - now) / 1000)) };
  }
}
