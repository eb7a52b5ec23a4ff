// The soft-delete plugin example of the README and docs/better-auth.md. Type-checked by `tsc --noEmit`; compared
// by test/docs/docs.test.ts.
import type { NodePgDatabase } from "drizzle-orm/node-postgres";

declare const db: NodePgDatabase;
declare const userId: string;

// #region soft-delete-plugin
import { softDeletePlugin } from "@be-monorepo/db/better-auth";
import { authSchema, userTable } from "@be-monorepo/db/schema";
import { restore, softDeleteUser } from "@be-monorepo/db/soft-delete";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { eq } from "drizzle-orm";

export const auth = betterAuth({
  secret: process.env.BETTER_AUTH_SECRET,
  baseURL: process.env.BETTER_AUTH_URL,
  database: drizzleAdapter(db, { provider: "pg", schema: authSchema }),
  emailAndPassword: { enabled: true },
  plugins: [softDeletePlugin()],
});

await softDeleteUser(db, userId); // signed out everywhere, cannot sign in
await restore(db, userTable, eq(userTable.id, userId)); // can sign in again
// #endregion soft-delete-plugin
