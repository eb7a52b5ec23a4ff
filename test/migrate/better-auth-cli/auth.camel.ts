// Better Auth configuration handed to Better Auth's CLI (`generate`) to produce generated/schema.camel.ts: the
// drizzle adapter for PostgreSQL with `camelCase: true` (column and table names as Better Auth's field and model
// names), and Better Auth's rate limiter kept in the database (its `rateLimit` table). Not used at run time.
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";

export const auth = betterAuth({
  database: drizzleAdapter({}, { provider: "pg", camelCase: true }),
  emailAndPassword: { enabled: true },
  rateLimit: { storage: "database" },
});
