// Recipe "The host's own fields": run before each `drizzle-kit generate` (for example `tsx scripts/prepare-auth.ts
// && drizzle-kit generate`), with the same plugins as `defineAuthSchema()` and `migrate()`.
// #region prepare
import { prepareHostMigrations } from "@be-monorepo/db/migrate";

prepareHostMigrations("./drizzle/auth", { plugins: ["admin"] });
// #endregion prepare
