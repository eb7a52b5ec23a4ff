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

const NOW_MS_TEXT = "(floor(extract(epoch from statement_timestamp()) * 1000))::bigint";
const NOW_MS = sql.raw(NOW_MS_TEXT);

/**
 * How the statements name the package's own `rateLimitTable`: `"rate_limit"`, found through the session's
 * `search_path`. A `DbStore` given another table (`table` option) names it schema-qualified instead, see
 * {@link quotedTableName}.
 */
export const DEFAULT_TABLE_TEXT = '"rate_limit"';
/** {@link DEFAULT_TABLE_TEXT} as a drizzle SQL fragment. */
export const DEFAULT_TABLE: SQL = sql.raw(DEFAULT_TABLE_TEXT);

/** `"schema"."name"` (or `"name"` without a schema), each part quoted as a PostgreSQL identifier. */
export function quotedTableName(name: string, schema?: string): string {
  const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;
  return schema === undefined ? quote(name) : `${quote(schema)}.${quote(name)}`;
}

/**
 * The text of the increment, with `$1` the keys (`text[]`), `$2` their hit counts (`int[]`) and `$3` the window
 * in milliseconds: one multi-row upsert that adds `$2[i]` hits to `$1[i]` for every i and returns each key's new
 * `count` and `last_request`. The keys must be distinct (an upsert may not touch one row twice) and sorted the
 * same way by every caller: rows are locked in array order, so two concurrent statements never wait on each
 * other in opposite orders (no deadlock).
 *
 * A key without a row, or whose window is over, starts a new window at `now_ms` with `count = n`; otherwise
 * `count` grows by `n` and the window stays. A Better Auth row under the same key (`window_start` null, only
 * possible when the prefix does not keep the key spaces apart) is taken over and starts a new window.
 *
 * `tableText` is how the statement names the table (default `"rate_limit"`, see {@link quotedTableName}).
 *
 * With `synchronousCommit` false the statement also sets PostgreSQL's `synchronous_commit` to `off` for its own
 * transaction (`set_config(…, true)`), so that its commit does not wait for the WAL flush; nothing else changes.
 * Only for a statement that is a transaction of its own: inside the host's transaction it would apply to all of it.
 */
export function incrementText(synchronousCommit: boolean, tableText: string = DEFAULT_TABLE_TEXT): string {
  if (tableText !== DEFAULT_TABLE_TEXT) return incrementTextOf(synchronousCommit, tableText);
  return synchronousCommit ? INCREMENT_SYNC : INCREMENT_ASYNC;
}

const incrementTextOf = (
  synchronousCommit: boolean,
  tableText = DEFAULT_TABLE_TEXT,
) => `insert into ${tableText} as r ("key", "count", "window_start", "last_request")
select t.k, t.n, c.now_ms, c.now_ms + $3::bigint
from unnest($1::text[], $2::int[]) with ordinality as t(k, n, i)
cross join (select ${NOW_MS_TEXT} as now_ms${synchronousCommit ? "" : ", set_config('synchronous_commit', 'off', true)"}) as c
order by t.i
on conflict ("key") do update set
  "count" = case when r."last_request" <= excluded."window_start" or r."window_start" is null
    then excluded."count" else r."count" + excluded."count" end,
  "window_start" = case when r."last_request" <= excluded."window_start" or r."window_start" is null
    then excluded."window_start" else r."window_start" end,
  "last_request" = case when r."last_request" <= excluded."window_start" or r."window_start" is null
    then excluded."last_request" else r."last_request" end
returning r."key", r."count", r."last_request"`;
const INCREMENT_SYNC = incrementTextOf(true);
const INCREMENT_ASYNC = incrementTextOf(false);

/**
 * The increment of `incrementText` as a drizzle statement with its parameters (for `db.execute`, any driver):
 * `counts[i]` hits for `keys[i]`, a window of `windowMs` milliseconds, in the table `tableText` names.
 */
export function incrementStatement(
  keys: string[],
  counts: number[],
  windowMs: number,
  synchronousCommit = true,
  tableText = DEFAULT_TABLE_TEXT,
): SQL {
  const values: unknown[] = [keys, counts, windowMs];
  const parts = incrementText(synchronousCommit, tableText).split(/\$([1-3])/);
  const chunks: SQL[] = [];
  for (const [i, part] of parts.entries()) {
    chunks.push(i % 2 === 0 ? sql.raw(part) : sql`${sql.param(values[Number(part) - 1])}`);
  }
  return sql.join(chunks);
}

/** The key's `count` and `last_request` when its window is still running; no row otherwise. */
export function getStatement(key: string, table: SQL = DEFAULT_TABLE): SQL {
  return sql`select "count", "last_request" from ${table}
where "key" = ${key} and "window_start" is not null and "last_request" > ${NOW_MS}`;
}

/**
 * One hit less for the key, exactly as `MemoryStore.decrement`: while its window runs, `count − 1` but never
 * below 0, and the window stays; on a finished window, nothing; on a key without a row, a new window starts now
 * with 0 hits (`MemoryStore` creates the client on a decrement too). A Better Auth row (`window_start` null) is
 * left alone.
 */
export function decrementStatement(key: string, windowMs: number, table: SQL = DEFAULT_TABLE): SQL {
  return sql`insert into ${table} as r ("key", "count", "window_start", "last_request")
select ${key}, 0, c.now_ms, c.now_ms + ${windowMs}::bigint from (select ${NOW_MS} as now_ms) as c
on conflict ("key") do update set "count" = r."count" - 1
where r."window_start" is not null and r."count" > 0 and r."last_request" > excluded."window_start"`;
}

/** Deletes the key's row (a `DbStore` row only). */
export function resetKeyStatement(key: string, table: SQL = DEFAULT_TABLE): SQL {
  return sql`delete from ${table} where "key" = ${key} and "window_start" is not null`;
}

/** Deletes every `DbStore` row whose key starts with `prefix`; Better Auth's rows (`window_start` null) stay. */
export function resetAllStatement(prefix: string, table: SQL = DEFAULT_TABLE): SQL {
  return sql`delete from ${table} where "window_start" is not null and starts_with("key", ${prefix})`;
}

/**
 * Deletes at most `limit` rows of this store whose window is over, oldest first, skipping rows another
 * statement holds locked (an increment in progress), and returns how many it deleted. The outer condition is
 * checked again on each row when it is deleted, so a window restarted meanwhile is never deleted.
 */
export function pruneStatement(prefix: string, limit: number, table: SQL = DEFAULT_TABLE): SQL {
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
