// docs/migrations.md, a refused adoption. Type-checked by `tsc --noEmit`; compared by test/docs/docs.test.ts.
import type { NodePgDatabase } from "drizzle-orm/node-postgres";
import { migrate } from "../../../src/migrate/index.js";

declare const db: NodePgDatabase;

// #region refused
import { SchemaMismatchError } from "@be-monorepo/db/migrate";

try {
  await migrate(db);
} catch (error) {
  if (error instanceof SchemaMismatchError) {
    console.error(`Not adopted (closest: ${error.migration}):`, error.differences);
    // [ "column user.nickname is not expected (found text NOT NULL)" ]
  }
  throw error;
}
// #endregion refused
