/**
 * The sliding-window counter (the weighted two-window estimate of Cloudflare and Upstash), one statement per
 * coalesced batch.
 *
 * A key's time is cut into windows of `windowMs` anchored at its first hit. Its row keeps the current window's
 * start (`window_start`), its hits (`count`) and the hits of the window before (`previous_count`);
 * `last_request` = `window_start + 2 × windowMs`, when the row stops mattering (prune, Better Auth's clean-up).
 * At time `now`, `elapsed = now − window_start` and the estimate of the hits in the last `windowMs` is
 *
 *     floor(previous_count × (windowMs − elapsed) / windowMs) + count
 *
 * A key idle for two windows or more starts again from an empty window anchored at `now`.
 *
 * Lockout (`blockMs`): the statement that takes the estimate over `max` (for `consume`: the first denial) sets
 * `blocked_until = now + blockMs`; until then every `consume` is denied and writes nothing, and `increment`
 * answers at least `max + 1` (hits still counted). `last_request` then covers the block too.
 */
import { type SQL, sql } from "drizzle-orm";
import type { Item } from "../coalescer.js";
import { DEFAULT_TABLE } from "../statements.js";
import { itemsTable, NOW_MS, num } from "./sql.js";

/**
 * `windowMs` and the limit (`max`); `consume` 1 for Better Auth's `consume` (only allowed calls count);
 * `blockMs` the lockout (0: none).
 */
export interface SlidingParams {
  windowMs: number;
  max: number;
  consume: 0 | 1;
  blockMs: number;
}

/** The state a statement returns for one key, and how many of its `n` calls were counted (`allowed`). */
export interface SlidingState {
  nowMs: number;
  windowMs: number;
  /** The estimate before this statement's calls: floor(previous × weight) + count. */
  before: number;
  allowed: number;
  /** The current window's start and hits after this statement, and the previous window's hits. */
  start: number;
  count: number;
  previous: number;
  /** Whether the key was blocked (lockout) when the statement ran, and the block's end after it (0: none). */
  wasBlocked: boolean;
  blockedUntil: number;
}

/**
 * Locks and reads each key's row, moves its windows on to `now`, counts the calls (all of them for `increment`;
 * for `consume` only as many as keep the estimate at or below `max`), and writes the row back (only the row it
 * read; a row created meanwhile by another statement is left, and its callers sent again).
 */
export function slidingStatement(items: Item<SlidingParams>[], target: SQL = DEFAULT_TABLE): SQL {
  const table = itemsTable({ keys: items.map((x) => x.key), counts: items.map((x) => x.n) }, [
    ["w", "bigint", items.map((x) => x.params.windowMs)],
    ["m", "int", items.map((x) => x.params.max)],
    ["cm", "int", items.map((x) => x.params.consume)],
    ["b", "bigint", items.map((x) => x.params.blockMs)],
  ]);
  return sql`with c as (select ${NOW_MS} as now_ms),
t as (select * from ${table}),
l as (
  select r."id", r."key", r."count", r."window_start", r."previous_count", r."blocked_until"
  from t join ${target} r on r."key" = t.k order by t.i for update of r
),
s as (
  select t.*, c.now_ms, l."id" as old_id, l."blocked_until" as old_block,
    coalesce(l."blocked_until", 0) > c.now_ms as was_blocked,
    case when l."window_start" is null or c.now_ms >= l."window_start" + 2 * t.w then c.now_ms
      when c.now_ms >= l."window_start" + t.w then l."window_start" + t.w
      else l."window_start" end as cur_start,
    case when l."window_start" is null or c.now_ms >= l."window_start" + 2 * t.w then 0
      when c.now_ms >= l."window_start" + t.w then l."count"
      else coalesce(l."previous_count", 0) end::bigint as prev,
    case when l."window_start" is null or c.now_ms >= l."window_start" + t.w then 0
      else l."count" end::bigint as cur
  from t cross join c left join l on l."key" = t.k
),
e as (select s.*, (s.prev * (s.w - (s.now_ms - s.cur_start))) / s.w + s.cur as before from s),
a as (
  select e.*, case when e.cm = 0 then e.n when e.was_blocked then 0 else least(e.n, greatest(e.m - e.before, 0)) end
    as allowed
  from e
),
p as (
  select a.*,
    case when a.b > 0 and not a.was_blocked
      and (case when a.cm = 1 then a.allowed < a.n else a.before <= a.m and a.before + a.n > a.m end)
      then a.now_ms + a.b else a.old_block end as new_block,
    (a.b > 0 and not a.was_blocked
      and (case when a.cm = 1 then a.allowed < a.n else a.before <= a.m and a.before + a.n > a.m end)) as crossing
  from a
),
up as (
  insert into ${target} as r ("id", "key", "count", "window_start", "previous_count", "blocked_until", "last_request")
  select coalesce(p.old_id, gen_random_uuid()::text), p.k, p.cur + p.allowed, p.cur_start, p.prev, p.new_block,
    greatest(p.cur_start + 2 * p.w, coalesce(p.new_block, 0))
  from p where p.allowed > 0 or p.crossing order by p.i
  on conflict ("key") do update set "count" = excluded."count", "window_start" = excluded."window_start",
    "previous_count" = excluded."previous_count", "blocked_until" = excluded."blocked_until",
    "last_request" = excluded."last_request"
  where r."id" = excluded."id"
  returning r."key"
)
select p.k as "key", p.now_ms, p.w, p.before, p.allowed, p.cur_start, p.cur + p.allowed as count, p.prev,
  p.was_blocked, coalesce(p.new_block, 0) as blocked_until, (p.allowed > 0 or p.crossing) as write,
  (up."key" is not null) as written
from p left join up on up."key" = p.k`;
}

/** The returned row as a `SlidingState`; `undefined` when the calls were counted but the row not written. */
export function slidingState(row: Record<string, unknown>): SlidingState | undefined {
  const allowed = num(row, "allowed");
  if (row.write === true && row.written !== true) return undefined;
  return {
    wasBlocked: row.was_blocked === true,
    blockedUntil: num(row, "blocked_until"),
    nowMs: num(row, "now_ms"),
    windowMs: num(row, "w"),
    before: num(row, "before"),
    allowed,
    start: num(row, "cur_start"),
    count: num(row, "count"),
    previous: num(row, "prev"),
  };
}

/**
 * The first time (Unix ms) at which one more call keeps the estimate at or below `max`, after `state`:
 * within the current window when its own hits leave room, else in the next one, as the previous window's weight
 * falls.
 */
export function slidingRetryAt(state: SlidingState, max: number): number {
  if (state.blockedUntil > state.nowMs) return Math.max(state.blockedUntil, slidingRetryAtUnblocked(state, max));
  return slidingRetryAtUnblocked(state, max);
}

function slidingRetryAtUnblocked(state: SlidingState, max: number): number {
  const { start, count, previous, windowMs: w } = state;
  if (max <= 0) return start + 2 * w;
  if (count <= max - 1) {
    if (previous === 0) return state.nowMs;
    // floor(previous × (start + w − t) / w) ≤ max − 1 − count  ⇔  previous × (start + w − t) < (max − count) × w
    return Math.floor(start + w - ((max - count) * w) / previous) + 1;
  }
  // Next window: its previous is `count`, its own hits 0: count × (start + 2w − t) < max × w.
  return Math.floor(start + 2 * w - (max * w) / count) + 1;
}

/** The statement reading one key's sliding state for `get` (no row: no state). */
export function slidingGetStatement(key: string, target: SQL = DEFAULT_TABLE): SQL {
  return sql`select "count", "window_start", "previous_count", ${NOW_MS} as now_ms from ${target}
where "key" = ${key} and "window_start" is not null`;
}

/** `get`'s answer from the row read by `slidingGetStatement`: the estimate now, and the current window's end. */
export function slidingGet(
  row: Record<string, unknown> | undefined,
  windowMs: number,
): { totalHits: number; resetMs: number } | undefined {
  if (!row) return undefined;
  const now = num(row, "now_ms");
  let start = num(row, "window_start");
  let count = num(row, "count");
  let previous = row.previous_count == null ? 0 : num(row, "previous_count");
  if (now >= start + 2 * windowMs) return undefined;
  if (now >= start + windowMs) {
    previous = count;
    count = 0;
    start += windowMs;
  }
  const totalHits = Math.floor((previous * (windowMs - (now - start))) / windowMs) + count;
  return { totalHits, resetMs: start + windowMs };
}

/** One hit less in the current window (never below 0); nothing when the row's window is not the current one. */
export function slidingDecrementStatement(key: string, windowMs: number, target: SQL = DEFAULT_TABLE): SQL {
  return sql`update ${target} set "count" = "count" - 1
where "key" = ${key} and "window_start" is not null and "count" > 0
  and "window_start" + ${windowMs}::bigint > ${NOW_MS} and "window_start" <= ${NOW_MS}`;
}
