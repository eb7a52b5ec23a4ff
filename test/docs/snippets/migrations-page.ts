// docs/migrations.md, first example. Type-checked by `tsc --noEmit`; compared by test/docs/docs.test.ts.
// #region migrate-page
import { migrate, migrationStatus } from "@be-monorepo/db/migrate";
import { drizzle } from "drizzle-orm/node-postgres";

const db = drizzle(process.env.DATABASE_URL!);
const { applied } = await migrate(db); // e.g. [{ tag: "0002_auth_fixes", createdAt: 1796…, durationMs: 41.2 }]
const { pending } = await migrationStatus(db); // []
// #endregion migrate-page
