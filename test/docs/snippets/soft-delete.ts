// The README's "Soft delete" example. Type-checked by `tsc --noEmit`; compared by test/docs/docs.test.ts.
import type { NodePgDatabase } from "drizzle-orm/node-postgres";

declare const db: NodePgDatabase;
declare const userId: string;

// #region soft-delete
import { sessionTable, userTable } from "@be-monorepo/db/schema";
import { notDeleted, purgeDeleted, restore, softDelete } from "@be-monorepo/db/soft-delete";
import { and, eq } from "drizzle-orm";

await softDelete(db, sessionTable, eq(sessionTable.userId, userId)); // deleted_at = now(), once
const live = await db
  .select()
  .from(userTable)
  .where(and(eq(userTable.id, userId), notDeleted(userTable)));
await restore(db, sessionTable, eq(sessionTable.userId, userId));
await purgeDeleted(db, userTable, { olderThan: new Date(Date.now() - 30 * 86_400_000) }); // hard delete, batched
// #endregion soft-delete
