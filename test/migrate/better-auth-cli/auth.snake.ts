// Better Auth configuration handed to Better Auth's CLI (`generate`) to produce schema.snake.ts: the drizzle adapter
// for PostgreSQL with its defaults (snake_case column names). Not used at run time.
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";

export const auth = betterAuth({
  database: drizzleAdapter({}, { provider: "pg" }),
  emailAndPassword: { enabled: true },
});
