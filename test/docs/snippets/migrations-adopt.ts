// docs/migrations.md, adoption. Type-checked by `tsc --noEmit`; compared by test/docs/docs.test.ts.
import type { NodePgDatabase } from "drizzle-orm/node-postgres";
import { migrate } from "../../../src/migrate/index.js";

declare const db: NodePgDatabase;

// #region adopt
const { adopted, applied } = await migrate(db);
// adopted: [0000_auth_tables, 0001_rate_limit]  recorded as applied, not run
// applied: [0002_auth_fixes, 0003_rate_limit_window, …]
// #endregion adopt
