// docs/placement.md's examples: the package's tables in a PostgreSQL schema of the host's choosing.
// Type-checked by `tsc --noEmit`.
import type { NodePgDatabase } from "drizzle-orm/node-postgres";

declare const db: NodePgDatabase;
declare const userId: string;

// #region define
import { defineAuthSchema } from "@be-monorepo/db/schema";

// Every table (core and plugins) as "auth"."user", "auth"."session", …
export const s = defineAuthSchema({ pgSchema: "auth", plugins: ["admin", "organization"] });

// #endregion define

// #region migrate
import { checkSchema, migrate, migrationStatus } from "@be-monorepo/db/migrate";

// Creates the schema if needed and applies the same shipped migrations there (core, then each plugin's).
await migrate(db, { pgSchema: "auth", plugins: ["admin", "organization"] });
const { pending } = await migrationStatus(db, { pgSchema: "auth", plugins: ["admin", "organization"] });
const differences = await checkSchema(db, { schema: s }); // pgSchema and plugins taken from `s`

// #endregion migrate

// #region db-store
import { DbStore } from "@be-monorepo/db/rate-limit";

const store = new DbStore({ db, table: s.rateLimitTable }); // counts in "auth"."rate_limit"

// #endregion db-store

// #region soft-delete
import { purgeDeleted, softDelete, softDeleteUser } from "@be-monorepo/db/soft-delete";
import { eq } from "drizzle-orm";

await softDelete(db, s.sessionTable, eq(s.sessionTable.userId, userId)); // any table, wherever it is
await softDeleteUser(db, userId, { schema: s.authSchema }); // the user and session tables to act on
await purgeDeleted(db, s.userTable, { olderThan: new Date(Date.now() - 30 * 86_400_000) });
// #endregion soft-delete

// #region tenants
for (const tenant of ["tenant_a", "tenant_b"]) {
  await migrate(db, { pgSchema: tenant }); // two independent sets, each with its own history rows and lock
}
const tenantA = defineAuthSchema({ pgSchema: "tenant_a" });
const tenantB = defineAuthSchema({ pgSchema: "tenant_b" });

// #endregion tenants

export { differences, pending, store, tenantA, tenantB };
