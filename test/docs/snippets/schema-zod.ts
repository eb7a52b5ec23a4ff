// docs/schema.md, the Zod schemas. Type-checked by `tsc --noEmit`; compared by test/docs/docs.test.ts.
import type { NodePgDatabase } from "drizzle-orm/node-postgres";

declare const db: NodePgDatabase;

// #region zod
import {
  type InsertUserTable,
  insertUserTableSchema,
  type SessionTable,
  selectSessionTableSchema,
  sessionTable,
  updateRateLimitTableSchema,
} from "@be-monorepo/db/schema";

const input: InsertUserTable = insertUserTableSchema.parse({ name: "Ada", email: "ada@example.com" }); // id, dates optional
const [row] = await db.select().from(sessionTable).limit(1);
const session: SessionTable = selectSessionTableSchema.parse(row); // throws a ZodError on a malformed row
const tooBig = updateRateLimitTableSchema.safeParse({ count: 2 ** 31 }).success; // false: beyond int32
// #endregion zod
