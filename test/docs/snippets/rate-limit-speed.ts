// docs/rate-limit.md, the two options that choose how increments are sent. Type-checked by `tsc --noEmit`.
import type { NodePgDatabase } from "drizzle-orm/node-postgres";
import { DbStore } from "../../../src/rate-limit/index.js";

declare const db: NodePgDatabase;

// #region defaults
// The defaults: increments commit without waiting for the WAL flush, as a named statement on node-postgres.
const store = new DbStore({ db });
// #endregion defaults

// #region strict
// Every increment flushed to disk before it answers, and no named statements (PgBouncer before 1.21 in
// transaction mode works with the default too: the store falls back to unnamed statements by itself).
const strict = new DbStore({ db, prefix: "rl-login:", synchronousCommit: true, preparedStatements: false });

// #endregion strict

export { store, strict };
