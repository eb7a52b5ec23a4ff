/**
 * The token bucket, computed as GCRA (the generic cell rate algorithm): one timestamp per key, the theoretical
 * arrival time `tat`, kept in `last_request` (the bucket is full again at `tat`, so the row stops mattering
 * then: prune and Better Auth's clean-up see the right time).
 *
 * A bucket holds `max` tokens and refills one every `interval = ceil(windowMs / max)` milliseconds (whole
 * milliseconds, so the arithmetic is exact). At `now`, the tokens in use are `ceil((tat − now) / interval)` when
 * `tat > now`, else 0. A call takes one token when one is free: `tat = max(tat, now) + interval`, allowed while
 * `tat − now ≤ max × interval`. A call with no free token is denied and changes nothing. `count` keeps the
 * tokens in use after the last write and `window_start` its time (informational; a row with a `window_start` is
 * a `DbStore` row).
 *
 * Lockout (`blockMs`): the first denied call (when the key is not blocked already) pushes `tat` to
 * `now + blockMs + (max − 1) × interval`, so that no token is free before `now + blockMs`, and marks the block in
 * `blocked_until` (so that the calls denied during it do not push it again).
 */
import { type SQL, sql } from "drizzle-orm";
import type { Item } from "../coalescer.js";
import { DEFAULT_TABLE } from "../statements.js";
import { itemsTable, NOW_MS, num } from "./sql.js";

/** The bucket's size (`max` tokens), refill `interval` (ms per token) and lockout `blockMs` (0: none). */
export interface BucketParams {
  max: number;
  interval: number;
  blockMs: number;
}

/** The refill interval of a bucket of `max` tokens over `windowMs`: whole milliseconds, at least 1. */
export const bucketInterval = (windowMs: number, max: number): number =>
  max > 0 ? Math.max(1, Math.ceil(windowMs / max)) : windowMs;

/** What the statement returns for one key. */
export interface BucketState {
  nowMs: number;
  /** `max(tat, now)` before this statement's calls. */
  start: number;
  /** How many of the `n` calls took a token. */
  allowed: number;
  /** `tat` after this statement. */
  tat: number;
}

/** Locks and reads each key's `tat`, lets as many calls take a token as are free, writes the new `tat`. */
export function bucketStatement(items: Item<BucketParams>[], target: SQL = DEFAULT_TABLE): SQL {
  const table = itemsTable({ keys: items.map((x) => x.key), counts: items.map((x) => x.n) }, [
    ["m", "int", items.map((x) => x.params.max)],
    ["iv", "bigint", items.map((x) => x.params.interval)],
    ["b", "bigint", items.map((x) => x.params.blockMs)],
  ]);
  return sql`with c as (select ${NOW_MS} as now_ms),
t as (select * from ${table}),
l as (
  select r."id", r."key", r."window_start", r."last_request", r."blocked_until"
  from t join ${target} r on r."key" = t.k order by t.i for update of r
),
s as (
  select t.*, c.now_ms, l."id" as old_id, l."blocked_until" as old_block,
    coalesce(l."blocked_until", 0) > c.now_ms as was_blocked,
    greatest(case when l."window_start" is null then c.now_ms else l."last_request" end, c.now_ms) as tat0
  from t cross join c left join l on l."key" = t.k
),
a as (
  select s.*, least(s.n, greatest((s.m * s.iv - (s.tat0 - s.now_ms)) / s.iv, 0)) as allowed from s
),
p as (
  select a.*, (a.b > 0 and not a.was_blocked and a.allowed < a.n) as crossing,
    case when a.b > 0 and not a.was_blocked and a.allowed < a.n
      then greatest(a.tat0 + a.allowed * a.iv, a.now_ms + a.b + (a.m - 1) * a.iv)
      else a.tat0 + a.allowed * a.iv end as new_tat,
    case when a.b > 0 and not a.was_blocked and a.allowed < a.n then a.now_ms + a.b else a.old_block end as new_block
  from a
),
up as (
  insert into ${target} as r ("id", "key", "count", "window_start", "last_request", "blocked_until")
  select coalesce(p.old_id, gen_random_uuid()::text), p.k,
    least((p.new_tat - p.now_ms + p.iv - 1) / p.iv, 2147483647)::int, p.now_ms, p.new_tat, p.new_block
  from p where p.allowed > 0 or p.crossing order by p.i
  on conflict ("key") do update set "count" = excluded."count", "window_start" = excluded."window_start",
    "last_request" = excluded."last_request", "blocked_until" = excluded."blocked_until"
  where r."id" = excluded."id"
  returning r."key"
)
select p.k as "key", p.now_ms, p.tat0, p.allowed, p.new_tat as tat, (p.allowed > 0 or p.crossing) as write,
  (up."key" is not null) as written
from p left join up on up."key" = p.k`;
}

/** The returned row as a `BucketState`; `undefined` when calls were allowed but the row not written. */
export function bucketState(row: Record<string, unknown>): BucketState | undefined {
  const allowed = num(row, "allowed");
  if (row.write === true && row.written !== true) return undefined;
  return { nowMs: num(row, "now_ms"), start: num(row, "tat0"), allowed, tat: num(row, "tat") };
}

/** Tokens in use at `now` for a bucket whose `tat` is `tat`. */
export const tokensInUse = (tat: number, now: number, interval: number): number =>
  tat > now ? Math.ceil((tat - now) / interval) : 0;

/** The statement reading one key's `tat` for `get`. */
export function bucketGetStatement(key: string, target: SQL = DEFAULT_TABLE): SQL {
  return sql`select "last_request", ${NOW_MS} as now_ms from ${target}
where "key" = ${key} and "window_start" is not null and "last_request" > ${NOW_MS}`;
}

/** Gives one token back: `tat` one interval earlier, never before now. */
export function bucketDecrementStatement(key: string, interval: number, target: SQL = DEFAULT_TABLE): SQL {
  return sql`update ${target} set "last_request" = greatest("last_request" - ${interval}::bigint, ${NOW_MS})
where "key" = ${key} and "window_start" is not null and "last_request" > ${NOW_MS}`;
}
