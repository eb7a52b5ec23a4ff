import { randomUUID } from "node:crypto";
import { count, inArray } from "drizzle-orm";
import { accountTable, sessionTable, userTable } from "../../src/schema/index.js";
import type { AnyPgDatabase } from "../../src/shared/database.js";

/** Inserts `count` fresh users (unique ids and emails) and returns them. */
export async function insertUsers(db: AnyPgDatabase, count = 1) {
  const rows = Array.from({ length: count }, () => {
    const id = randomUUID();
    return { id, name: `user ${id.slice(0, 8)}`, email: `${id}@example.test` };
  });
  return db.insert(userTable).values(rows).returning();
}

/** Inserts one fresh user and returns it. */
export async function insertUser(db: AnyPgDatabase) {
  const [row] = await insertUsers(db, 1);
  if (!row) throw new Error("no user inserted");
  return row;
}

/** The time of a `deletedAt` in milliseconds; throws when it is `null` (the row is live). */
export function deletedTime(row: { deletedAt: Date | null } | undefined): number {
  if (!row?.deletedAt) throw new Error("expected a soft-deleted row");
  return row.deletedAt.getTime();
}

/** Inserts one live session for `userId`, expiring in an hour. */
export async function insertSession(db: AnyPgDatabase, userId: string) {
  const [row] = await db
    .insert(sessionTable)
    .values({ userId, token: randomUUID(), expiresAt: new Date(Date.now() + 3_600_000) })
    .returning();
  if (!row) throw new Error("no session inserted");
  return row;
}

/** Inserts one credential account for `userId`. */
export async function insertAccount(db: AnyPgDatabase, userId: string) {
  const [row] = await db
    .insert(accountTable)
    .values({ userId, accountId: userId, providerId: "credential", password: "x" })
    .returning();
  if (!row) throw new Error("no account inserted");
  return row;
}

/**
 * How many rows of `table` belong to the users `ids`: the users themselves for `userTable`, else the rows whose
 * `user_id` is one of them.
 */
export async function countOfUsers(
  db: AnyPgDatabase,
  table: typeof userTable | typeof sessionTable | typeof accountTable,
  ids: string[],
): Promise<number> {
  const column = table === userTable ? userTable.id : (table as typeof sessionTable).userId;
  const [row] = await db.select({ n: count() }).from(table).where(inArray(column, ids));
  return row?.n ?? 0;
}
