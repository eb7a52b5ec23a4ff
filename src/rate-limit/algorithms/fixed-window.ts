/**
 * Fixed windows for `consume` (Better Auth's `customStorage`) and for `increment` with a lockout
 * (`blockDurationMs`). The plain `increment` is `incrementStatement` (statements.ts) and its batcher.
 *
 * Row: `count` = hits (or allowed calls) in the window, `window_start`, `last_request` = the window's end, pushed
 * to `now + blockDurationMs` when the key goes over its limit (the lockout), so that `resetTime`, `retryAfter`
 * and Better Auth's clean-up all see the block's end.
 */
import { type SQL, sql } from "drizzle-orm";
import type { Item } from "../coalescer.js";
import { DEFAULT_TABLE } from "../statements.js";
import { itemsTable, NOW_MS, num } from "./sql.js";

/** The rule of one `consume` call, in whole milliseconds: the window, the limit, the lockout (0: none). */
export interface ConsumeParams {
  windowMs: number;
  max: number;
  blockMs: number;
}

/** One caller's answer to `consume`: allowed, or denied until `resetMs`; `nowMs` is the database's time. */
export interface ConsumeAnswer {
  allowed: boolean;
  resetMs: number;
  nowMs: number;
  /** The key's count after this statement (allowed calls, plus 1 once it went over its limit). */
  count: number;
}

/**
 * The start both fixed-window statements share: the batch as `t` (`k` key, `n` calls, `w` window, `m` limit, `b`
 * block, in milliseconds), the key's row locked and read as `l` (`FOR UPDATE`, in the batch's key order), and as `s`
 * each key's running window (`base_count`, `base_start`, `base_end`), or a new one at `now_ms` when it is over.
 */
function lockedWindows(items: Item<{ windowMs: number; blockMs: number }>[], limits: number[], target: SQL): SQL {
  const table = itemsTable({ keys: items.map((x) => x.key), counts: items.map((x) => x.n) }, [
    ["w", "bigint", items.map((x) => x.params.windowMs)],
    ["m", "int", limits],
    ["b", "bigint", items.map((x) => x.params.blockMs)],
  ]);
  return sql`with c as (select ${NOW_MS} as now_ms),
t as (select * from ${table}),
l as (
  select r."id", r."key", r."count", r."window_start", r."last_request"
  from t join ${target} r on r."key" = t.k order by t.i for update of r
),
s as (
  select t.*, c.now_ms, l."id" as old_id,
    case when l."window_start" is not null and l."last_request" > c.now_ms then l."count" else 0 end as base_count,
    case when l."window_start" is not null and l."last_request" > c.now_ms then l."window_start" else c.now_ms end as base_start,
    case when l."window_start" is not null and l."last_request" > c.now_ms then l."last_request" else c.now_ms + t.w end as base_end
  from t cross join c left join l on l."key" = t.k
)`;
}

/**
 * One statement for every key of a coalesced `consume` batch. Each key's `n` calls: while its window runs with
 * `count` calls allowed, the first `max − count` are allowed (counted), the rest denied and not counted; a
 * finished window (or none) starts a new one at `now`. The first denial of a window with `blockMs > 0` starts
 * the lockout: `count` becomes `max + 1` and the window's end moves to at least `now + blockMs`. Any other
 * denial writes nothing.
 *
 * The key's row is locked (`FOR UPDATE`, in the batch's key order) and read, the new values computed, then
 * written by an upsert that only updates the row it read (`r.id = excluded.id`): a key whose row another
 * statement created meanwhile is not written, and its callers are sent again (`answer` returns `undefined`).
 */
export function consumeStatement(items: Item<ConsumeParams>[], target: SQL = DEFAULT_TABLE): SQL {
  return sql`${lockedWindows(
    items,
    items.map((x) => x.params.max),
    target,
  )},
a as (select s.*, least(s.n, greatest(s.m - s.base_count, 0)) as allowed from s),
p as (
  select a.*, (a.b > 0 and a.allowed < a.n and a.base_count <= a.m) as crossing from a
),
q as (
  select p.*,
    p.base_count + p.allowed + case when p.crossing then 1 else 0 end as new_count,
    case when p.crossing then greatest(p.base_end, p.now_ms + p.b) else p.base_end end as new_end,
    (p.allowed > 0 or p.crossing) as write
  from p
),
up as (
  insert into ${target} as r ("id", "key", "count", "window_start", "last_request")
  select coalesce(q.old_id, gen_random_uuid()::text), q.k, q.new_count, q.base_start, q.new_end
  from q where q.write order by q.i
  on conflict ("key") do update set "count" = excluded."count", "window_start" = excluded."window_start",
    "last_request" = excluded."last_request"
  where r."id" = excluded."id"
  returning r."key"
)
select q.k as "key", q.allowed, q.write, q.new_count, q.new_end, q.now_ms, (up."key" is not null) as written
from q left join up on up."key" = q.k`;
}

/** The answers of one key's callers, in call order; `undefined` when its row was not written (send again). */
export function consumeAnswer(row: Record<string, unknown>, item: Item<ConsumeParams>): ConsumeAnswer[] | undefined {
  if (row.write === true && row.written !== true) return undefined;
  const allowed = num(row, "allowed");
  const resetMs = num(row, "new_end");
  const nowMs = num(row, "now_ms");
  const count = num(row, "new_count");
  return Array.from({ length: item.n }, (_, i) => ({ allowed: i < allowed, resetMs, nowMs, count }));
}

/** The parameters of an `increment` with a lockout: the window, the limit and the block, in milliseconds. */
export interface LockoutParams {
  windowMs: number;
  limit: number;
  blockMs: number;
}

/**
 * `increment` with a lockout: counted exactly as `incrementStatement` (every hit, a finished window restarts),
 * and when this statement takes the window's count from at most `limit` to above it, the window's end moves to
 * at least `now + blockMs`. A window never restarts before its end, so the key answers over its limit until
 * then. Reads and locks the rows first, like `consumeStatement`, and writes only the rows it read.
 */
export function lockoutIncrementStatement(items: Item<LockoutParams>[], target: SQL = DEFAULT_TABLE): SQL {
  return sql`${lockedWindows(
    items,
    items.map((x) => x.params.limit),
    target,
  )},
q as (
  select s.*, s.base_count + s.n as new_count,
    case when s.b > 0 and s.base_count <= s.m and s.base_count + s.n > s.m
      then greatest(s.base_end, s.now_ms + s.b) else s.base_end end as new_end
  from s
),
up as (
  insert into ${target} as r ("id", "key", "count", "window_start", "last_request")
  select coalesce(q.old_id, gen_random_uuid()::text), q.k, q.new_count, q.base_start, q.new_end
  from q order by q.i
  on conflict ("key") do update set "count" = excluded."count", "window_start" = excluded."window_start",
    "last_request" = excluded."last_request"
  where r."id" = excluded."id"
  returning r."key"
)
select q.k as "key", q.new_count, q.new_end, q.now_ms, (up."key" is not null) as written
from q left join up on up."key" = q.k`;
}

/** The totals of one key's callers (`count − n + 1 … count`) and the window's end; `undefined`: send again. */
export function lockoutIncrementAnswer(
  row: Record<string, unknown>,
  item: Item<LockoutParams>,
): { totalHits: number; resetMs: number }[] | undefined {
  if (row.written !== true) return undefined;
  const total = num(row, "new_count");
  const resetMs = num(row, "new_end");
  return Array.from({ length: item.n }, (_, i) => ({ totalHits: total - item.n + 1 + i, resetMs }));
}
