import { eq } from "drizzle-orm";
import { drizzle as drizzlePostgresJs } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionTable, userTable } from "../../src/schema/index.js";
import { purgeDeleted, restore, softDelete, softDeleteUser } from "../../src/soft-delete/index.js";
import { createTestDatabase, serverUrl, type TestDatabase } from "../support/database.js";
import { insertSession, insertUser } from "./fixtures.js";

describe.runIf(serverUrl)("soft-delete helpers on postgres.js (needs a PostgreSQL server)", () => {
  let t: TestDatabase;
  let client: ReturnType<typeof postgres>;
  let db: ReturnType<typeof drizzlePostgresJs>;
  beforeAll(async () => {
    t = await createTestDatabase("soft_delete_postgres_js", { migrated: true });
    client = postgres(t.url as string, { max: 2, onnotice: () => {} });
    db = drizzlePostgresJs(client);
  });
  afterAll(async () => {
    await client.end();
    await t.close();
  });

  it("soft-deletes, restores, ends sessions and purges through another driver", async () => {
    const user = await insertUser(db);
    await insertSession(db, user.id);
    const [deleted] = await softDelete(db, userTable, eq(userTable.id, user.id));
    expect(deleted?.deletedAt).toBeInstanceOf(Date);
    expect(await restore(db, userTable, eq(userTable.id, user.id))).toHaveLength(1);

    const result = await db.transaction((tx) => softDeleteUser(tx, user.id));
    expect(result.sessionsEnded).toBe(1);
    const [session] = await db.select().from(sessionTable).where(eq(sessionTable.userId, user.id));
    expect(session?.deletedAt).toEqual(result.user.deletedAt);

    expect(await purgeDeleted(db, userTable, { olderThan: new Date(Date.now() + 60_000), batchSize: 1 })).toBe(1);
    expect(await db.select().from(sessionTable).where(eq(sessionTable.userId, user.id))).toEqual([]);
  });
});
