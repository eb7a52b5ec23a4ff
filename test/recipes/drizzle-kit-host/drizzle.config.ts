// Way A's drizzle-kit config (docs/recipes.md). test/recipes/drizzle-kit-host.test.ts copies it into a host
// project, and removes `tablesFilter` for way B and for the push that shows why the filter matters.
// #region config
// drizzle.config.ts
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema.ts",
  out: "./drizzle",
  dbCredentials: { url: process.env.DATABASE_URL! },
  // drizzle-kit push and pull: never look at (nor drop) the package's tables.
  tablesFilter: ["!user", "!session", "!account", "!verification", "!rate_limit"],
});
// #endregion config
