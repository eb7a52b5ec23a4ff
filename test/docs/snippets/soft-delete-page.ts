// docs/soft-delete.md, every example of the page in order. Type-checked by `tsc --noEmit`; compared with the page by
// test/docs/docs.test.ts.
import type { NodePgDatabase } from "drizzle-orm/node-postgres";

declare const db: NodePgDatabase;
declare const userId: string;
declare const id: string;
declare const name: string;

// #region imports
import { sessionTable, userTable, verificationTable } from "@be-monorepo/db/schema";
import {
  notDeleted,
  onlyDeleted,
  purgeDeleted,
  restore,
  softDelete,
  softDeleteUser,
} from "@be-monorepo/db/soft-delete";
import { and, eq } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";

// #endregion imports

// #region soft-delete
const [deleted] = await softDelete(db, userTable, eq(userTable.id, userId)); // deleted.deletedAt: Date
await softDelete(db, sessionTable, eq(sessionTable.userId, userId));
// #endregion soft-delete

// #region all
await softDelete(db, verificationTable, { all: true }); // every live row, deliberately
await softDelete(db, verificationTable, undefined); // throws MissingWhereError, nothing is changed
// #endregion all

// #region restore
const [back] = await restore(db, userTable, eq(userTable.id, userId)); // back.deletedAt === null
// #endregion restore

// #region conditions
// live users with their live sessions
const rows = await db
  .select({ user: userTable.id, session: sessionTable.id })
  .from(userTable)
  .leftJoin(sessionTable, and(eq(sessionTable.userId, userTable.id), notDeleted(sessionTable)))
  .where(notDeleted(userTable));

// soft-deleted sessions, through an alias
const s = alias(sessionTable, "s");
const ended = await db.select().from(s).where(onlyDeleted(s));

// never rename a soft-deleted user
await db
  .update(userTable)
  .set({ name })
  .where(and(eq(userTable.id, id), notDeleted(userTable)));
// #endregion conditions

// #region purge
const thirtyDays = 30 * 24 * 60 * 60 * 1000; // milliseconds
const purged = await purgeDeleted(db, userTable, {
  olderThan: new Date(Date.now() - thirtyDays),
  onBatch: (deleted) => console.log(`purged ${deleted} users`),
});
// #endregion purge

// #region user
const { user, sessionsEnded } = await softDeleteUser(db, userId);
// later, to let them sign in again (their old sessions stay ended):
await restore(db, userTable, eq(userTable.id, userId));
// #endregion user
