// Recipe "The host's own fields": at boot, the package's migrations, then the host's; Better Auth told the fields.
import type { NodePgDatabase } from "drizzle-orm/node-postgres";

declare const db: NodePgDatabase;

// #region boot
import { checkSchema, migrate } from "@be-monorepo/db/migrate";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { admin } from "better-auth/plugins";
import { migrate as migrateHost } from "drizzle-orm/node-postgres/migrator";
import { auth as schema } from "./auth-schema.js";

await migrate(db, { plugins: ["admin"] }); // the package's tables and the admin plugin's columns
await migrateHost(db, {
  migrationsFolder: "./drizzle/auth",
  migrationsSchema: "drizzle",
  migrationsTable: "__host_auth_migrations",
}); // the host's own columns
console.log(await checkSchema(db, { schema })); // [] when all of them are there

export const auth = betterAuth({
  database: drizzleAdapter(db, { provider: "pg", schema: schema.authSchema }),
  emailAndPassword: { enabled: true },
  user: {
    additionalFields: {
      plan: { type: "string", required: false, defaultValue: "free" },
      seats: { type: "number", required: false },
    },
  },
  plugins: [admin()],
});
// #endregion boot
