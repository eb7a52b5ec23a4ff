// Way A of the recipe "Your own drizzle-kit schema" (docs/recipes.md): the host's schema file, which imports the
// package's tables without exporting them. test/recipes/drizzle-kit-host.test.ts copies it into a host project.
// #region schema-a
// src/db/schema.ts: the `schema` of your drizzle.config.ts
import { userTable } from "@be-monorepo/db/schema"; // imported, NOT exported: drizzle-kit leaves it alone
import { sql } from "drizzle-orm";
import { pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const noteTable = pgTable("note", {
  id: text("id").primaryKey().default(sql`gen_random_uuid()::text`),
  userId: text("user_id")
    .notNull()
    .references(() => userTable.id, { onDelete: "cascade" }),
  body: text("body").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).defaultNow().notNull(),
});
// #endregion schema-a
