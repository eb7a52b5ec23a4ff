import { type SQL, sql } from "drizzle-orm";

/** `statement_timestamp()` in whole milliseconds since the Unix epoch (the database clock), as `bigint`. */
export const NOW_MS = sql.raw("(floor(extract(epoch from statement_timestamp()) * 1000))::bigint");

/** A numeric column of a returned row as a JavaScript number (drivers answer `bigint` as a string). */
export const num = (row: Record<string, unknown>, column: string): number => Number(row[column]);

/** The parameters a coalesced statement shares for each of its keys, as `unnest` arrays. */
export interface Columns {
  keys: string[];
  counts: number[];
}

/** `unnest(keys, counts, …extra) with ordinality as t(k, n, …names, i)`: the items of a coalesced statement. */
export function itemsTable(columns: Columns, extra: [name: string, type: "bigint" | "int", values: number[]][]): SQL {
  const arrays = [
    sql`${sql.param(columns.keys)}::text[]`,
    sql`${sql.param(columns.counts)}::int[]`,
    ...extra.map(([, type, values]) => sql`${sql.param(values)}::${sql.raw(type)}[]`),
  ];
  const names = ["k", "n", ...extra.map(([name]) => name), "i"].join(", ");
  return sql`unnest(${sql.join(arrays, sql`, `)}) with ordinality as t(${sql.raw(names)})`;
}
