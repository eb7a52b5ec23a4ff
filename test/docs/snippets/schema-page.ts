// docs/schema.md, first example. Type-checked by `tsc --noEmit`; compared with the page by test/docs/docs.test.ts.
// #region schema-page
import { authSchema, sessionTable, type UserTable, userTable } from "@be-monorepo/db/schema";
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";

const db = drizzle(process.env.DATABASE_URL!, { schema: authSchema }); // your connection, your pool

const [user]: UserTable[] = await db.select().from(userTable).where(eq(userTable.email, "ada@example.com"));
const sessions = await db.select().from(sessionTable).where(eq(sessionTable.userId, user!.id));
const withSessions = await db.query.user.findFirst({ with: { sessions: true } }); // relations are in authSchema
// #endregion schema-page
