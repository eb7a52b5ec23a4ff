import { randomUUID } from "node:crypto";
import type { SQL } from "drizzle-orm";
import type { accountTable, rateLimitTable, sessionTable, userTable } from "../../../src/schema/index.js";
import type { AnyPgDatabase } from "../../../src/shared/database.js";
import { rowsOf } from "../../../src/shared/rows.js";
import type { HostTables } from "../hosts.js";

/** Rows of a raw `db.execute()`: an array (postgres.js) or `{ rows }` (node-postgres, PGlite). */
export async function rawRows(db: AnyPgDatabase, query: SQL): Promise<Record<string, unknown>[]> {
  return rowsOf(await db.execute(query));
}

/** A unique suffix for keys, emails and tokens, so cases never collide on the shared database. */
export const unique = () => randomUUID().slice(0, 8);

/** An instant with milliseconds, away from "now", to compare what comes back with. */
export const someInstant = (offsetMs = 0) => new Date(Date.UTC(2031, 4, 17, 21, 3, 9, 123) + offsetMs);

/** Inserts a user with one session and one account into the host's tables; returns their ids. */
export async function insertUserWithChildren(
  db: AnyPgDatabase,
  { userTable, sessionTable, accountTable }: Pick<HostTables, "userTable" | "sessionTable" | "accountTable">,
) {
  const tag = unique();
  const [user] = await db
    .insert(userTable)
    .values({ name: `User ${tag}`, email: `${tag}@example.test` })
    .returning({ id: userTable.id });
  const userId = (user as { id: string }).id;
  const sessions = await db
    .insert(sessionTable)
    .values([
      { token: `a-${tag}`, userId, expiresAt: someInstant() },
      { token: `b-${tag}`, userId, expiresAt: someInstant(60_000) },
    ])
    .returning({ id: sessionTable.id });
  const [account] = await db
    .insert(accountTable)
    .values({ accountId: tag, providerId: "credential", userId, password: "hash" })
    .returning({ id: accountTable.id });
  return { userId, sessionIds: sessions.map((s) => s.id), accountId: (account as { id: string }).id };
}

/** Counts the rows of `table` that match `where`, with drizzle's `$count` (a JavaScript number on every driver). */
export const countWhere = (
  db: AnyPgDatabase,
  table: typeof sessionTable | typeof accountTable | typeof userTable | typeof rateLimitTable,
  where: SQL,
) => db.$count(table, where);
