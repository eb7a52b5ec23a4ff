// Better Auth configuration handed to Better Auth's CLI (`generate`) to produce generated/schema.plural.ts: the
// drizzle adapter for PostgreSQL with `usePlural: true` (tables `users`, `sessions`, …) and snake_case columns.
// Not used at run time.
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";

export const auth = betterAuth({
  database: drizzleAdapter({}, { provider: "pg", usePlural: true }),
  emailAndPassword: { enabled: true },
});
