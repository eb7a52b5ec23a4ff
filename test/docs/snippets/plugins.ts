// The examples of docs/plugins.md. Type-checked by `tsc --noEmit`.
import type { NodePgDatabase } from "drizzle-orm/node-postgres";
import type { Pool } from "pg";

declare const pool: Pool;
declare const plainDb: NodePgDatabase;

// #region define
import { defineAuthSchema } from "@be-monorepo/db/schema";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { admin, organization } from "better-auth/plugins";
import { drizzle } from "drizzle-orm/node-postgres";

export const s = defineAuthSchema({ plugins: ["admin", "organization"] });
export const db = drizzle(pool, { schema: s.authSchema }); // relations included: joins work

export const auth = betterAuth({
  database: drizzleAdapter(db, { provider: "pg", schema: s.authSchema }),
  emailAndPassword: { enabled: true },
  plugins: [admin(), organization({ teams: { enabled: true }, dynamicAccessControl: { enabled: true } })],
});

type User = typeof s.userTable.$inferSelect; // has role, banned, banReason, banExpires
type Member = typeof s.memberTable.$inferSelect;

// #endregion define

// #region migrate
import { checkSchema, migrate } from "@be-monorepo/db/migrate";

await migrate(plainDb, { plugins: ["admin", "organization"] }); // the core's migrations, then each plugin's
const differences = await checkSchema(plainDb, { schema: s }); // s's plugins and host columns; [] when it matches

// #endregion migrate

// #region queries
import { eq } from "drizzle-orm";

const admins = await db.select().from(s.userTable).where(eq(s.userTable.role, "admin"));
const withMembers = await db.query.organization.findFirst({ with: { members: true } });

// #endregion queries

export type { Member, User };
export { admins, differences, withMembers };
