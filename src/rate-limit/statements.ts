/**
 * The SQL of `DbStore`, one statement per operation, each atomic on its own (no read-then-write).
 *
 * Time is the database's: `now_ms` is `statement_timestamp()` (when the statement started, even inside a
 * longer transaction) in whole milliseconds since the Unix epoch, so app instances with skewed clocks agree on
 * every window.
 *
 * A `DbStore` row keeps `window_start` (when its window started) and `last_request` = `window_start + windowMs`
 * (its `resetTime`); a window is over when `last_request <= now_ms`, exactly as `MemoryStore` treats
 * `resetTime <= Date.now()`.
 */
import { type SQL, sql } from "drizzle-orm";

const NOW_MS = sql.raw("(floor(extract(epoch from statement_timestamp()) * 1000))::bigint");

/**
 * The table every statement names: `"rate_limit"` (the package's `rateLimitTable`, found through the session's
 * `search_path`) unless `DbStore` was given another one, which it names schema-qualified (`"auth"."rate_limit"`,
 * see `tableNameOf` in options.ts).
 */
export const DEFAULT_TABLE: SQL = sql`${sql.identifier("rate_limit")}`;

/**
 * Adds `counts[i]` hits to `keys[i]` for every i in one multi-row upsert and returns each key's new `count`
 * and `last_request`. The keys must be distinct (an upsert may not touch one row twice) and sorted the same way
 * by every caller: rows are locked in array order, so two concurrent statements never wait on each other in
 * opposite orders (no deadlock).
 *
 * A key without a row, or whose window is over, starts a new window at `now_ms` with `count = n`; otherwise
 * `count` grows by `n` and the window stays. A Better Auth row under the same key (`window_start` null, only
 * possible when the prefix does not keep the key spaces apart) is taken over and starts a new window.
 */
export function incrementStatement(keys: string[], counts: number[], windowMs: number, table = DEFAULT_TABLE): SQL {
  return sql`insert into ${table} as r ("key", "count", "window_start", "last_request")
select t.k, t.n, c.now_ms, c.now_ms + ${windowMs}::bigint
from unnest(${sql.param(keys)}::text[], ${sql.param(counts)}::int[]) with ordinality as t(k, n, i)
cross join (select ${NOW_MS} as now_ms) as c
order by t.i
on conflict ("key") do update set
  "count" = case when r."last_request" <= excluded."window_start" or r."window_start" is null
    then excluded."count" else r."count" + excluded."count" end,
  "window_start" = case when r."last_request" <= excluded."window_start" or r."window_start" is null
    then excluded."window_start" else r."window_start" end,
  "last_request" = case when r."last_request" <= excluded."window_start" or r."window_start" is null
    then excluded."last_request" else r."last_request" end
returning r."key", r."count", r."last_request"`;
}

/** The key's `count` and `last_request` when its window is still running; no row otherwise. */
export function getStatement(key: string, table = DEFAULT_TABLE): SQL {
  return sql`select "count", "last_request" from ${table}
where "key" = ${key} and "window_start" is not null and "last_request" > ${NOW_MS}`;
}

/**
 * One hit less for the key, exactly as `MemoryStore.decrement`: while its window runs, `count − 1` but never
 * below 0, and the window stays; on a finished window, nothing; on a key without a row, a new window starts now
 * with 0 hits (`MemoryStore` creates the client on a decrement too). A Better Auth row (`window_start` null) is
 * left alone.
 */
export function decrementStatement(key: string, windowMs: number, table = DEFAULT_TABLE): SQL {
  return sql`insert into ${table} as r ("key", "count", "window_start", "last_request")
select ${key}, 0, c.now_ms, c.now_ms + ${windowMs}::bigint from (select ${NOW_MS} as now_ms) as c
on conflict ("key") do update set "count" = r."count" - 1
where r."window_start" is not null and r."count" > 0 and r."last_request" > excluded."window_start"`;
}

/** Deletes the key's row (a `DbStore` row only). */
export function resetKeyStatement(key: string, table = DEFAULT_TABLE): SQL {
  return sql`delete from ${table} where "key" = ${key} and "window_start" is not null`;
}

/** Deletes every `DbStore` row whose key starts with `prefix`; Better Auth's rows (`window_start` null) stay. */
export function resetAllStatement(prefix: string, table = DEFAULT_TABLE): SQL {
  return sql`delete from ${table} where "window_start" is not null and starts_with("key", ${prefix})`;
}

/**
 * Deletes at most `limit` rows of this store whose window is over, oldest first, skipping rows another
 * statement holds locked (an increment in progress), and returns how many it deleted. The outer condition is
 * checked again on each row when it is deleted, so a window restarted meanwhile is never deleted.
 */
export function pruneStatement(prefix: string, limit: number, table = DEFAULT_TABLE): SQL {
  return sql`with doomed as (
  select "id" from ${table}
  where "last_request" <= ${NOW_MS} and "window_start" is not null and starts_with("key", ${prefix})
  order by "last_request"
  limit ${limit}
  for update skip locked
), deleted as (
  delete from ${table} where "id" in (select "id" from doomed) and "last_request" <= ${NOW_MS}
  returning 1
)
select count(*)::int as "deleted" from deleted`;
}
