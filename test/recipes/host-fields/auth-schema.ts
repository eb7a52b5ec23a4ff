// Recipe "The host's own fields" (DOCS-h-plugins.md): the host's schema file, read by its drizzle-kit config and
// by its app. Copied into a throw-away host project by test/recipes/host-fields.test.ts.
// #region auth-schema
import { defineAuthSchema } from "@be-monorepo/db/schema";
import { integer, text } from "drizzle-orm/pg-core";

export const auth = defineAuthSchema({
  plugins: ["admin"],
  additionalFields: {
    user: { plan: text("plan").default("free").notNull(), seats: integer("seats") },
  },
});

// drizzle-kit finds tables among the file's exports.
export const { userTable, sessionTable, accountTable, verificationTable, rateLimitTable } = auth;
// #endregion auth-schema
