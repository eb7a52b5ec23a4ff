// The README's "Migrations" example. Type-checked by `tsc --noEmit`; compared by test/docs/docs.test.ts.
import type { NodePgDatabase } from "drizzle-orm/node-postgres";

declare const db: NodePgDatabase;

// #region migrate
import { checkSchema, migrate, migrationStatus } from "@be-monorepo/db/migrate";

const { applied, adopted } = await migrate(db); // applied: [{ tag, createdAt, durationMs }]
const { pending } = await migrationStatus(db); // [] once migrated
const differences = await checkSchema(db); // [] when the live tables are as expected
// #endregion migrate
