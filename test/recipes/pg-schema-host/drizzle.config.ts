// The host's drizzle-kit config next to the package's tables in schema `auth` (DOCS-h-placement.md).
// test/recipes/pg-schema-host.test.ts copies it into a host project.
// #region config
// drizzle.config.ts
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema.ts",
  out: "./drizzle",
  dbCredentials: { url: process.env.DATABASE_URL! },
  // drizzle-kit generate, push and pull look at the host's schema only: the package's tables in `auth` are
  // made and changed by migrate(db, { pgSchema: "auth" }), never by the host's drizzle-kit.
  schemaFilter: ["public"],
});
// #endregion config
