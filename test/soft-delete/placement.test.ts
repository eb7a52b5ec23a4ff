import { and, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/migrate/index.js";
import { defineAuthSchema, rateLimitTable, userTable } from "../../src/schema/index.js";
import { rowsOf } from "../../src/shared/rows.js";
import {
  notDeleted,
  onlyDeleted,
  purgeDeleted,
  restore,
  softDelete,
  softDeleteUser,
  UserNotFoundError,
} from "../../src/soft-delete/index.js";
import { databaseWithSearchPath, type PlacedDatabase } from "../support/search-path.js";

describe("soft delete on tables in schema auth, the session's search_path pointing elsewhere", () => {
  let t: PlacedDatabase;
  const s = defineAuthSchema({ pgSchema: "auth" });
  beforeAll(async () => {
    t = await databaseWithSearchPath("sd_placement", "other");
    await migrate(t.db, { pgSchema: "auth" });
  });
  afterAll(() => t.close());

  async function userWithSessions(tag: string) {
    const [user] = await t.db
      .insert(s.userTable)
      .values({ name: tag, email: `${tag}@example.test` })
      .returning();
    const sessions = await t.db
      .insert(s.sessionTable)
      .values([
        { token: `${tag}-1`, userId: user?.id as string, expiresAt: new Date(Date.now() + 3_600_000) },
        { token: `${tag}-2`, userId: user?.id as string, expiresAt: new Date(Date.now() + 3_600_000) },
      ])
      .returning();
    return { userId: user?.id as string, sessionIds: sessions.map((session) => session.id) };
  }

  it("softDelete, notDeleted, onlyDeleted and restore act on auth.user", async () => {
    const { userId } = await userWithSessions("sd-a");
    const [deleted] = await softDelete(t.db, s.userTable, eq(s.userTable.id, userId));
    expect(deleted?.deletedAt).toBeInstanceOf(Date);
    expect(await t.db.$count(s.userTable, and(eq(s.userTable.id, userId), notDeleted(s.userTable)))).toBe(0);
    const gone = await t.db.select().from(s.userTable).where(onlyDeleted(s.userTable));
    expect(gone.map((row) => row.id)).toContain(userId);
    const [back] = await restore(t.db, s.userTable, eq(s.userTable.id, userId));
    expect(back?.deletedAt).toBeNull();
  });

  it("softDeleteUser({ schema }) ends the sessions in auth.session; purgeDeleted cascades there", async () => {
    const { userId, sessionIds } = await userWithSessions("sd-b");
    const { user, sessionsEnded } = await softDeleteUser(t.db, userId, { schema: s.authSchema });
    expect(sessionsEnded).toBe(2);
    expect(user.deletedAt).toBeInstanceOf(Date);
    const sessions = await t.db.select().from(s.sessionTable).where(inArray(s.sessionTable.id, sessionIds));
    for (const session of sessions) {
      expect(session.deletedAt?.getTime()).toBe(user.deletedAt?.getTime());
      expect(session.expiresAt.getTime()).toBeLessThanOrEqual(user.deletedAt?.getTime() as number);
    }
    const again = await softDeleteUser(t.db, userId, { schema: { user: s.userTable, session: s.sessionTable } });
    expect(again).toEqual({ user, sessionsEnded: 0 });
    await expect(softDeleteUser(t.db, "nobody", { schema: s.authSchema })).rejects.toBeInstanceOf(UserNotFoundError);

    expect(await purgeDeleted(t.db, s.userTable, { olderThan: new Date(Date.now() + 60_000) })).toBe(1);
    const [left] = rowsOf(
      await t.db.execute(sql`select (select count(*)::int from auth."user" where id = ${userId}) as users,
        (select count(*)::int from auth.session where user_id = ${userId}) as sessions`),
    );
    expect(left).toEqual({ users: 0, sessions: 0 });
  });

  it("softDeleteUser without options still names the package's tables, which are not on this search_path", async () => {
    const { userId } = await userWithSessions("sd-c");
    const error = await softDeleteUser(t.db, userId).catch((e: unknown) => e);
    expect((error as { cause?: { code?: string } }).cause?.code).toBe("42P01");
  });

  it("refuses options.schema without user and session tables, naming what is missing, before any SQL", async () => {
    for (const [schema, message] of [
      [{}, "options.schema.user must be a drizzle table with the columns id, deletedAt (got undefined)."],
      [
        { user: rateLimitTable, session: s.sessionTable },
        "options.schema.user must be a drizzle table with the columns id, deletedAt (missing: deletedAt).",
      ],
      [
        { user: userTable, session: userTable },
        "options.schema.session must be a drizzle table with the columns id, userId, expiresAt, deletedAt (missing: userId, expiresAt).",
      ],
    ] as const) {
      await expect(softDeleteUser(t.db, "u", { schema: schema as never })).rejects.toThrow(
        new TypeError(`@be-monorepo/db: softDeleteUser() ${message}`),
      );
    }
  });
});
