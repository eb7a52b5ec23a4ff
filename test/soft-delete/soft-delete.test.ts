import { and, count, eq, inArray, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rateLimitTable, sessionTable, userTable, verificationTable } from "../../src/schema/index.js";
import {
  MissingWhereError,
  notDeleted,
  onlyDeleted,
  purgeDeleted,
  restore,
  softDelete,
} from "../../src/soft-delete/index.js";
import { createTestDatabase, serverUrl, type TestDatabase } from "../support/database.js";
import { deletedTime, insertSession, insertUser, insertUsers } from "./fixtures.js";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("soft_delete", { migrated: true });
});
afterAll(() => t.close());

const userById = async (id: string) => (await t.db.select().from(userTable).where(eq(userTable.id, id)))[0];
class Rollback extends Error {}

describe("softDelete()", () => {
  it("sets deleted_at on the matching live rows only and returns them", async () => {
    const a = await insertUser(t.db);
    const b = await insertUser(t.db);
    const deleted = await softDelete(t.db, userTable, eq(userTable.id, a.id));
    expect(deleted.map((row) => row.id)).toEqual([a.id]);
    expect(deleted[0]?.deletedAt).toBeInstanceOf(Date);
    expect((await userById(a.id))?.deletedAt).toEqual(deleted[0]?.deletedAt);
    expect((await userById(b.id))?.deletedAt).toBeNull();
  });

  it("takes the time from the database clock (the transaction's now()), not from the app", async () => {
    const user = await insertUser(t.db);
    await t.db.transaction(async (tx) => {
      const [{ now }] = (await tx.execute<{ now: string }>(sql`select now()::text as now`)).rows as [{ now: string }];
      await new Promise((resolve) => setTimeout(resolve, 20));
      const [row] = await softDelete(tx, userTable, eq(userTable.id, user.id));
      const [{ same }] = (
        await tx.execute<{ same: boolean }>(sql`select deleted_at = now() as same from "user" where id = ${user.id}`)
      ).rows as [{ same: boolean }];
      expect(same).toBe(true);
      expect(row?.deletedAt?.getTime()).toBe(new Date(now).getTime());
    });
  });

  it("is idempotent: a second call changes nothing and keeps the first deletion time", async () => {
    const user = await insertUser(t.db);
    const [first] = await softDelete(t.db, userTable, eq(userTable.id, user.id));
    await new Promise((resolve) => setTimeout(resolve, 15));
    const second = await softDelete(t.db, userTable, eq(userTable.id, user.id));
    expect(second).toEqual([]);
    expect((await userById(user.id))?.deletedAt).toEqual(first?.deletedAt);
  });

  it.runIf(serverUrl)("keeps the first deletion time when calls race on the same row", async () => {
    const user = await insertUser(t.db);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => softDelete(t.db, userTable, eq(userTable.id, user.id))),
    );
    const winners = results.filter((rows) => rows.length === 1);
    expect(winners).toHaveLength(1);
    expect((await userById(user.id))?.deletedAt).toEqual(winners[0]?.[0]?.deletedAt);
  });

  it("refuses a missing where with MissingWhereError and changes nothing", async () => {
    const user = await insertUser(t.db);
    for (const where of [undefined, and(), { all: false }, {}, null]) {
      const error = await softDelete(t.db, userTable, where as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MissingWhereError);
      expect(error).toBeInstanceOf(TypeError);
      expect((error as MissingWhereError).name).toBe("MissingWhereError");
      expect((error as MissingWhereError).operation).toBe("softDelete");
      expect((error as Error).message).toContain("{ all: true }");
    }
    expect((await userById(user.id))?.deletedAt).toBeNull();
  });

  it("soft-deletes every live row with { all: true }, keeping earlier deletion times", async () => {
    const early = await insertUser(t.db);
    const [earlyDeleted] = await softDelete(t.db, userTable, eq(userTable.id, early.id));
    await insertUsers(t.db, 3);
    await t.db
      .transaction(async (tx) => {
        const deleted = await softDelete(tx, userTable, { all: true });
        expect(deleted.length).toBeGreaterThanOrEqual(3);
        expect(deleted.map((row) => row.id)).not.toContain(early.id);
        const [live] = await tx.select({ n: count() }).from(userTable).where(notDeleted(userTable));
        expect(live?.n).toBe(0);
        const [again] = await tx.select().from(userTable).where(eq(userTable.id, early.id));
        expect(again?.deletedAt).toEqual(earlyDeleted?.deletedAt);
        throw new Rollback();
      })
      .catch((e: unknown) => {
        if (!(e instanceof Rollback)) throw e;
      });
  });

  it("works on any table with deletedAt (sessions, verifications)", async () => {
    const user = await insertUser(t.db);
    const session = await insertSession(t.db, user.id);
    const [verification] = await t.db
      .insert(verificationTable)
      .values({ identifier: "reset:x", value: "v", expiresAt: new Date(Date.now() + 60_000) })
      .returning();
    expect(await softDelete(t.db, sessionTable, eq(sessionTable.id, session.id))).toHaveLength(1);
    expect(await softDelete(t.db, verificationTable, eq(verificationTable.id, verification?.id ?? ""))).toHaveLength(1);
  });
});

describe("a table without deletedAt, from plain JavaScript (TypeScript refuses it: types.test-d.ts)", () => {
  it("is refused by every helper with a TypeError naming the table, before any SQL", async () => {
    const table = rateLimitTable as never;
    const countBefore = await t.db.$count(rateLimitTable);
    for (const call of [
      () => softDelete(t.db, table, { all: true }),
      () => restore(t.db, table, { all: true }),
      () => purgeDeleted(t.db, table, { olderThan: new Date() }),
      async () => notDeleted(table),
      async () => onlyDeleted(table),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(/needs a table with a deletedAt column \(got rate_limit\)/);
    }
    expect(await t.db.$count(rateLimitTable)).toBe(countBefore);
  });
});

describe("restore()", () => {
  it("clears deleted_at on matching deleted rows and returns them; live rows are untouched", async () => {
    const deleted = await insertUser(t.db);
    const live = await insertUser(t.db);
    await softDelete(t.db, userTable, eq(userTable.id, deleted.id));
    const restored = await restore(t.db, userTable, inArray(userTable.id, [deleted.id, live.id]));
    expect(restored.map((row) => row.id)).toEqual([deleted.id]);
    expect(restored[0]?.deletedAt).toBeNull();
    expect((await userById(deleted.id))?.deletedAt).toBeNull();
    expect(await restore(t.db, userTable, eq(userTable.id, deleted.id))).toEqual([]);
  });

  it("lets a restored row be soft-deleted again with a new time", async () => {
    const user = await insertUser(t.db);
    const [first] = await softDelete(t.db, userTable, eq(userTable.id, user.id));
    await restore(t.db, userTable, eq(userTable.id, user.id));
    await new Promise((resolve) => setTimeout(resolve, 15));
    const [second] = await softDelete(t.db, userTable, eq(userTable.id, user.id));
    expect(second?.deletedAt?.getTime()).toBeGreaterThan(deletedTime(first));
  });

  it("refuses a missing where with MissingWhereError and restores with { all: true }", async () => {
    const user = await insertUser(t.db);
    await softDelete(t.db, userTable, eq(userTable.id, user.id));
    const error = await restore(t.db, userTable, undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingWhereError);
    expect((error as MissingWhereError).operation).toBe("restore");
    expect((await userById(user.id))?.deletedAt).not.toBeNull();
    await t.db
      .transaction(async (tx) => {
        const restored = await restore(tx, userTable, { all: true });
        expect(restored.map((row) => row.id)).toContain(user.id);
        const [left] = await tx.select({ n: count() }).from(userTable).where(onlyDeleted(userTable));
        expect(left?.n).toBe(0);
        throw new Rollback();
      })
      .catch((e: unknown) => {
        if (!(e instanceof Rollback)) throw e;
      });
  });
});

describe("in transactions", () => {
  it("commits softDelete and restore made through tx", async () => {
    const a = await insertUser(t.db);
    const b = await insertUser(t.db);
    await softDelete(t.db, userTable, eq(userTable.id, b.id));
    await t.db.transaction(async (tx) => {
      await softDelete(tx, userTable, eq(userTable.id, a.id));
      await restore(tx, userTable, eq(userTable.id, b.id));
    });
    expect((await userById(a.id))?.deletedAt).not.toBeNull();
    expect((await userById(b.id))?.deletedAt).toBeNull();
  });

  it("rolls both back when the transaction fails", async () => {
    const a = await insertUser(t.db);
    const b = await insertUser(t.db);
    const [bDeleted] = await softDelete(t.db, userTable, eq(userTable.id, b.id));
    const error = await t.db
      .transaction(async (tx) => {
        expect(await softDelete(tx, userTable, eq(userTable.id, a.id))).toHaveLength(1);
        expect(await restore(tx, userTable, eq(userTable.id, b.id))).toHaveLength(1);
        throw new Rollback();
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Rollback);
    expect((await userById(a.id))?.deletedAt).toBeNull();
    expect((await userById(b.id))?.deletedAt).toEqual(bDeleted?.deletedAt);
  });
});

describe("notDeleted() / onlyDeleted()", () => {
  it("filter a select", async () => {
    const live = await insertUser(t.db);
    const gone = await insertUser(t.db);
    await softDelete(t.db, userTable, eq(userTable.id, gone.id));
    const ids = [live.id, gone.id];
    const liveRows = await t.db
      .select({ id: userTable.id })
      .from(userTable)
      .where(and(inArray(userTable.id, ids), notDeleted(userTable)));
    const goneRows = await t.db
      .select({ id: userTable.id })
      .from(userTable)
      .where(and(inArray(userTable.id, ids), onlyDeleted(userTable)));
    expect(liveRows).toEqual([{ id: live.id }]);
    expect(goneRows).toEqual([{ id: gone.id }]);
  });

  it("filter a join, also through an alias", async () => {
    const user = await insertUser(t.db);
    const kept = await insertSession(t.db, user.id);
    const ended = await insertSession(t.db, user.id);
    await softDelete(t.db, sessionTable, eq(sessionTable.id, ended.id));
    const joined = await t.db
      .select({ session: sessionTable.id })
      .from(userTable)
      .innerJoin(sessionTable, and(eq(sessionTable.userId, userTable.id), notDeleted(sessionTable)))
      .where(and(eq(userTable.id, user.id), notDeleted(userTable)));
    expect(joined).toEqual([{ session: kept.id }]);

    const s = alias(sessionTable, "s");
    const onlyEnded = await t.db
      .select({ session: s.id })
      .from(userTable)
      .innerJoin(s, and(eq(s.userId, userTable.id), onlyDeleted(s)))
      .where(eq(userTable.id, user.id));
    expect(onlyEnded).toEqual([{ session: ended.id }]);
  });

  it("guard an update so soft-deleted rows are not changed", async () => {
    const live = await insertUser(t.db);
    const gone = await insertUser(t.db);
    await softDelete(t.db, userTable, eq(userTable.id, gone.id));
    const changed = await t.db
      .update(userTable)
      .set({ name: "renamed" })
      .where(and(inArray(userTable.id, [live.id, gone.id]), notDeleted(userTable)))
      .returning();
    expect(changed.map((row) => row.id)).toEqual([live.id]);
    expect((await userById(gone.id))?.name).not.toBe("renamed");
  });

  it("render as IS NULL / IS NOT NULL on deleted_at", () => {
    const q = t.db.select().from(userTable).where(notDeleted(userTable)).toSQL();
    expect(q.sql).toContain('"user"."deleted_at" is null');
    expect(t.db.select().from(userTable).where(onlyDeleted(userTable)).toSQL().sql).toContain(
      '"user"."deleted_at" is not null',
    );
  });
});
