// The host's drizzle-kit schema file next to the package's tables in schema `auth` (DOCS-h-placement.md).
// test/recipes/pg-schema-host.test.ts copies it into a host project.
// #region schema
// src/db/schema.ts: the `schema` of your drizzle.config.ts
import { defineAuthSchema } from "@be-monorepo/db/schema";
import { sql } from "drizzle-orm";
import { pgTable, text, timestamp } from "drizzle-orm/pg-core";

// The package's tables in the PostgreSQL schema `auth`. drizzle-kit collects only tables exported at the top
// level, so this object (tables inside) is left to migrate(db, { pgSchema: "auth" }); never `export` a table of
// it on its own (`export const { userTable } = auth` would make drizzle-kit generate it).
export const auth = defineAuthSchema({ pgSchema: "auth" });

export const noteTable = pgTable("note", {
  id: text("id").primaryKey().default(sql`gen_random_uuid()::text`),
  userId: text("user_id")
    .notNull()
    .references(() => auth.userTable.id, { onDelete: "cascade" }),
  body: text("body").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).defaultNow().notNull(),
});
// #endregion schema
