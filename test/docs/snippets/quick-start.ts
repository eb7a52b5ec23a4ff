// The README's "Ten lines". Type-checked by `tsc --noEmit`; test/docs/docs.test.ts compares the region with the
// README's block.
// #region quick-start
import { migrate } from "@be-monorepo/db/migrate";
import { authSchema } from "@be-monorepo/db/schema";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { drizzle } from "drizzle-orm/node-postgres";

const db = drizzle(process.env.DATABASE_URL!, { schema: authSchema });
await migrate(db); // creates or upgrades the tables, once, whatever the number of instances
export const auth = betterAuth({
  secret: process.env.BETTER_AUTH_SECRET,
  baseURL: process.env.BETTER_AUTH_URL,
  database: drizzleAdapter(db, { provider: "pg", schema: authSchema }),
  emailAndPassword: { enabled: true },
});
// #endregion quick-start
