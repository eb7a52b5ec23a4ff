// docs/adopt-better-auth-cli.md, moving from Better Auth's CLI schema. Type-checked by `tsc --noEmit`.
import type { NodePgDatabase } from "drizzle-orm/node-postgres";
import { migrate, SchemaMismatchError } from "../../../src/migrate/index.js";

declare const db: NodePgDatabase;

// #region adopt-from
const { adopted, applied, converted } = await migrate(db, { adoptFrom: "better-auth-cli" });
// converted: ['ALTER TABLE "public"."user" RENAME COLUMN "emailVerified" TO "email_verified"', …]  what it ran
// adopted:   [0000_auth_tables, …]  recorded as applied, not run
// applied:   the newer migrations, run after the conversion
// #endregion adopt-from

// #region refused
try {
  await migrate(db, { adoptFrom: "better-auth-cli" });
} catch (error) {
  if (!(error instanceof SchemaMismatchError)) throw error;
  console.error(error.differences); // e.g. ["column user.nickname is not expected (found text NOT NULL)"]
  console.error(error.hint); // what would resolve it, when the package knows
}
// #endregion refused

// #region adopt-plugins
await migrate(db, { adoptFrom: "better-auth-cli", plugins: ["admin", "organization", "twoFactor"] });
// #endregion adopt-plugins
