// The README's "Schema" example. Type-checked by `tsc --noEmit`; test/docs/docs.test.ts compares the region
// with the README.
import type { NodePgDatabase } from "drizzle-orm/node-postgres";
import type { authSchema as AuthSchema } from "../../../src/schema/index.js";

declare const db: NodePgDatabase<typeof AuthSchema>;

// #region schema
import { authSchema, selectUserTableSchema, type UserTable, userTable } from "@be-monorepo/db/schema";
import { eq } from "drizzle-orm";

const [row] = await db.select().from(userTable).where(eq(userTable.email, "ada@example.com"));
const user: UserTable = selectUserTableSchema.parse(row); // drizzle-zod: a ZodError on a malformed row
const withSessions = await db.query.user.findFirst({ with: { sessions: true } }); // relations are in authSchema
// #endregion schema
