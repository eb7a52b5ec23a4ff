import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";

/**
 * Any drizzle PostgreSQL database or transaction the host made: `drizzle()` from `drizzle-orm/node-postgres`,
 * `drizzle-orm/postgres-js` or `drizzle-orm/pglite`, with or without a `schema` or `casing`, and the `tx`
 * handed to `db.transaction(tx => …)`.
 */
// biome-ignore lint/suspicious/noExplicitAny: the host's schema type is theirs; we only use the query builder.
export type AnyPgDatabase = PgDatabase<PgQueryResultHKT, any, any>;
