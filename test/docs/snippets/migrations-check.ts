// docs/migrations.md, checkSchema. Type-checked by `tsc --noEmit`; compared by test/docs/docs.test.ts.
import type { NodePgDatabase } from "drizzle-orm/node-postgres";

declare const db: NodePgDatabase;

// #region check
import { checkSchema } from "@be-monorepo/db/migrate";

const differences = await checkSchema(db); // db: your drizzle database (node-postgres, postgres.js, PGlite)
if (differences.length > 0) throw new Error(`Schema drift:\n${differences.join("\n")}`);
// e.g. "column user.nickname is not expected (found text NOT NULL)"
//      "index session_user_id_idx on session (user_id) is missing"
// #endregion check
