// Recipe "The host's own fields": the host's drizzle-kit config for its auth columns.
// #region drizzle-config
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./src/auth-schema.ts",
  out: "./drizzle/auth",
  // The host's own history, apart from the package's (drizzle.__be_db_migrations).
  migrations: { schema: "drizzle", table: "__host_auth_migrations" },
});
// #endregion drizzle-config
