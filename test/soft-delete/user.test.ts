import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountTable, sessionTable, userTable } from "../../src/schema/index.js";
import {
  restore,
  SoftDeleteError,
  softDelete,
  softDeleteUser,
  UserNotFoundError,
} from "../../src/soft-delete/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { deletedTime, insertAccount, insertSession, insertUser } from "./fixtures.js";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("soft_delete_user", { migrated: true });
});
afterAll(() => t.close());

const sessionsOf = (userId: string) => t.db.select().from(sessionTable).where(eq(sessionTable.userId, userId));

describe("softDeleteUser()", () => {
  it("soft-deletes the user and ends all their sessions with the same instant; accounts and others stay", async () => {
    const user = await insertUser(t.db);
    const other = await insertUser(t.db);
    await insertSession(t.db, user.id);
    await insertSession(t.db, user.id);
    const otherSession = await insertSession(t.db, other.id);
    await insertAccount(t.db, user.id);

    const result = await softDeleteUser(t.db, user.id);
    expect(result.user.id).toBe(user.id);
    expect(result.user.deletedAt).toBeInstanceOf(Date);
    expect(result.sessionsEnded).toBe(2);
    const sessions = await sessionsOf(user.id);
    for (const session of sessions) {
      expect(session.deletedAt).toEqual(result.user.deletedAt);
      expect(session.expiresAt.getTime()).toBeLessThanOrEqual(deletedTime(result.user));
    }
    expect((await sessionsOf(other.id))[0]).toEqual(otherSession);
    const accounts = await t.db.select().from(accountTable).where(eq(accountTable.userId, user.id));
    expect(accounts[0]?.deletedAt).toBeNull();
  });

  it("is idempotent: keeps the first deletion time and ends only sessions made since", async () => {
    const user = await insertUser(t.db);
    await insertSession(t.db, user.id);
    const first = await softDeleteUser(t.db, user.id);
    const late = await insertSession(t.db, user.id);
    const second = await softDeleteUser(t.db, user.id);
    expect(second.user.deletedAt).toEqual(first.user.deletedAt);
    expect(second.sessionsEnded).toBe(1);
    const lateAfter = (await sessionsOf(user.id)).find((s) => s.id === late.id);
    expect(lateAfter?.deletedAt).not.toBeNull();
    expect(lateAfter?.deletedAt?.getTime()).toBeGreaterThanOrEqual(deletedTime(first.user));
  });

  it("rejects a missing or empty id with a TypeError before any SQL", async () => {
    for (const bad of [undefined, "", 42]) {
      await expect(softDeleteUser(t.db, bad as unknown as string)).rejects.toThrow(
        /softDeleteUser\(\) userId must be a non-empty string/,
      );
    }
  });

  it("throws UserNotFoundError for an unknown id and changes nothing", async () => {
    const error = await softDeleteUser(t.db, "no-such-user").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserNotFoundError);
    expect((error as UserNotFoundError).userId).toBe("no-such-user");
    expect((error as Error).name).toBe("UserNotFoundError");
  });

  it("runs inside a caller's transaction and rolls back with it", async () => {
    const user = await insertUser(t.db);
    await insertSession(t.db, user.id);
    const error = await t.db
      .transaction(async (tx) => {
        const result = await softDeleteUser(tx, user.id);
        expect(result.sessionsEnded).toBe(1);
        throw new Error("stop");
      })
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe("stop");
    const [row] = await t.db.select().from(userTable).where(eq(userTable.id, user.id));
    expect(row?.deletedAt).toBeNull();
    expect((await sessionsOf(user.id))[0]?.deletedAt).toBeNull();
  });

  it("is all or nothing: when ending the sessions fails, the user is not soft-deleted either", async () => {
    const user = await insertUser(t.db);
    await insertSession(t.db, user.id);
    await t.db.execute(
      // a trigger that makes the session update fail, to prove both writes share one transaction
      `create or replace function bedb_fail_session_update() returns trigger language plpgsql as $$ begin
         raise exception 'session update refused'; end $$`,
    );
    await t.db.execute(
      `create trigger bedb_fail before update on session for each row when (new.user_id = '${user.id}')
       execute function bedb_fail_session_update()`,
    );
    try {
      const error = await softDeleteUser(t.db, user.id).catch((e: unknown) => e);
      // A database failure: SoftDeleteError, one message format, the driver's error (SQLSTATE P0001) as cause.
      expect(error).toBeInstanceOf(SoftDeleteError);
      expect((error as SoftDeleteError).operation).toBe("softDeleteUser");
      expect((error as Error).message).toBe("@be-monorepo/db: softDeleteUser() failed: session update refused");
      expect(((error as Error).cause as { code?: string }).code).toBe("P0001");
      const [row] = await t.db.select().from(userTable).where(eq(userTable.id, user.id));
      expect(row?.deletedAt).toBeNull();
    } finally {
      await t.db.execute("drop trigger bedb_fail on session");
    }
  });

  it("leaves the user restorable with restore(); old sessions stay ended", async () => {
    const user = await insertUser(t.db);
    await insertSession(t.db, user.id);
    await softDeleteUser(t.db, user.id);
    const [restored] = await restore(t.db, userTable, eq(userTable.id, user.id));
    expect(restored?.deletedAt).toBeNull();
    expect((await sessionsOf(user.id))[0]?.deletedAt).not.toBeNull();
    expect(await softDelete(t.db, userTable, inArray(userTable.id, [user.id]))).toHaveLength(1);
  });
});
