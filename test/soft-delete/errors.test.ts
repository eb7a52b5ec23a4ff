import { eq } from "drizzle-orm";
import { pgTable, text } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rateLimitTable, timestamps, userTable } from "../../src/schema/index.js";
import {
  MissingWhereError,
  notDeleted,
  onlyDeleted,
  purgeDeleted,
  restore,
  SoftDeleteError,
  softDelete,
  softDeleteUser,
  UserNotFoundError,
} from "../../src/soft-delete/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { pgError } from "../support/errors.js";
import { insertUser } from "./fixtures.js";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("soft_delete_errors", { migrated: true });
});
afterAll(() => t.close());

const userById = async (id: string) => (await t.db.select().from(userTable).where(eq(userTable.id, id)))[0];
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected the call to reject");
    },
    (error: unknown) => error as Error,
  );
const liveUsers = async () => t.db.$count(userTable, notDeleted(userTable));

describe("where { all: true } counts only as an own property", () => {
  it("refuses an inherited all (Object.create({ all: true })) in softDelete and restore, changing nothing", async () => {
    const user = await insertUser(t.db);
    const before = await liveUsers();
    const inherited = Object.create({ all: true }) as { all: true };
    for (const call of [() => softDelete(t.db, userTable, inherited), () => restore(t.db, userTable, inherited)]) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(MissingWhereError);
      expect(error).toBeInstanceOf(TypeError);
    }
    expect(await liveUsers()).toBe(before);
    expect((await userById(user.id))?.deletedAt).toBeNull();
  });

  it("refuses {} after Object.prototype pollution with all: true, and still accepts an own { all: true }", async () => {
    const user = await insertUser(t.db);
    const before = await liveUsers();
    const prototype = Object.prototype as { all?: unknown };
    prototype.all = true;
    try {
      const plain = {} as { all: true };
      expect(plain.all).toBe(true);
      expect((await rejection(softDelete(t.db, userTable, plain))).name).toBe("MissingWhereError");
      expect((await rejection(restore(t.db, userTable, plain))).name).toBe("MissingWhereError");
      expect(await liveUsers()).toBe(before);
      // An own all: true is still the explicit whole-table choice (rolled back so other tests keep their rows).
      await t.db
        .transaction(async (tx) => {
          expect((await softDelete(tx, userTable, { all: true })).length).toBe(before);
          throw new Error("rollback");
        })
        .catch((error: Error) => expect(error.message).toBe("rollback"));
    } finally {
      delete prototype.all;
    }
    expect(({} as { all?: unknown }).all).toBeUndefined();
    expect((await userById(user.id))?.deletedAt).toBeNull();
  });
});

describe("softDeleteUser() ids PostgreSQL cannot compare as given", () => {
  it("refuses an id with a NUL with a TypeError naming userId, not a driver error", async () => {
    const error = await rejection(softDeleteUser(t.db, "abc\u0000def"));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/^@be-monorepo\/db: softDeleteUser\(\) userId must not contain a NUL/);
    expect(pgError(error)).toBeUndefined();
  });

  it("refuses a lone surrogate instead of soft-deleting the user whose id has U+FFFD there", async () => {
    const [victim] = await t.db
      .insert(userTable)
      .values({ id: "lone-\uFFFD-id", name: "Victim", email: "lone-surrogate@example.test" })
      .returning();
    for (const id of ["lone-\uD800-id", "lone-\uDC00-id"]) {
      const error = await rejection(softDeleteUser(t.db, id));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toMatch(/^@be-monorepo\/db: softDeleteUser\(\) userId must be well-formed Unicode/);
    }
    expect((await userById(victim?.id ?? ""))?.deletedAt).toBeNull();
    // A well-formed pair of surrogates (an emoji) is an ordinary id.
    const emoji = await rejection(softDeleteUser(t.db, "user-\u{1F600}"));
    expect(emoji).toBeInstanceOf(UserNotFoundError);
  });

  it("refuses a missing db with a TypeError naming it", async () => {
    const error = await rejection(softDeleteUser(undefined as never, "x"));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain("softDeleteUser() needs a drizzle PostgreSQL database or transaction as db");
  });
});

describe("purgeDeleted() olderThan outside what a timestamptz accepts", () => {
  it("refuses instants outside 0001-01-01 .. 9999-12-31 with a TypeError naming options.olderThan", async () => {
    for (const olderThan of [
      new Date("+010000-01-01T00:00:00.000Z"),
      new Date(8.64e15),
      new Date("-000001-01-01T00:00:00.000Z"),
      new Date("0000-12-31T23:59:59.999Z"),
    ]) {
      const error = await rejection(purgeDeleted(t.db, userTable, { olderThan }));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toMatch(/^@be-monorepo\/db: purgeDeleted\(\) options\.olderThan must be from 0001-01-01/);
      expect(pgError(error)).toBeUndefined();
    }
  });

  it("accepts both ends of the range", async () => {
    const user = await insertUser(t.db);
    await t.db
      .update(userTable)
      .set({ deletedAt: new Date("0001-01-01T00:00:00.000Z") })
      .where(eq(userTable.id, user.id));
    expect(await purgeDeleted(t.db, userTable, { olderThan: new Date("0001-01-01T00:00:00.000Z") })).toBe(0);
    expect(await purgeDeleted(t.db, userTable, { olderThan: new Date("0001-01-01T00:00:00.001Z") })).toBe(1);
    // The latest instant purges every soft-deleted user: counted and rolled back, so other tests keep their rows.
    await t.db
      .transaction(async (tx) => {
        const deleted = await tx.$count(userTable, onlyDeleted(userTable));
        expect(await purgeDeleted(tx, userTable, { olderThan: new Date("9999-12-31T23:59:59.999Z") })).toBe(deleted);
        throw new Error("rollback");
      })
      .catch((error: Error) => expect(error.message).toBe("rollback"));
  });
});

describe("one error policy: TypeError for bad arguments, SoftDeleteError with the driver's cause for the database", () => {
  it("throws TypeError (not SoftDeleteError) for a table without deletedAt and for bad purge options", async () => {
    const noDeletedAt = rateLimitTable as never;
    for (const call of [
      () => softDelete(t.db, noDeletedAt, { all: true }),
      () => restore(t.db, noDeletedAt, { all: true }),
      () => purgeDeleted(t.db, noDeletedAt, { olderThan: new Date() }),
      () => purgeDeleted(t.db, userTable, { olderThan: new Date(), batchSize: 0 }),
      () => purgeDeleted(t.db, userTable, { olderThan: new Date(), onBatch: "log" as never }),
      () => purgeDeleted(t.db, userTable, undefined as never),
    ]) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(TypeError);
      expect(error).not.toBeInstanceOf(SoftDeleteError);
      expect(error.message).toMatch(/^@be-monorepo\/db: /);
    }
  });

  it("MissingWhereError is a TypeError that keeps its name and operation", async () => {
    const error = await rejection(softDelete(t.db, userTable, undefined));
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toBeInstanceOf(MissingWhereError);
    expect(error.name).toBe("MissingWhereError");
    expect((error as MissingWhereError).operation).toBe("softDelete");
  });

  it("wraps a database failure of softDelete, restore and purgeDeleted in SoftDeleteError with the driver's error", async () => {
    // A table the host declared but never created: every statement fails with 42P01 (undefined_table).
    const missing = pgTable("bedb_never_created", { id: text("id").primaryKey(), ...timestamps });
    for (const [operation, call] of [
      ["softDelete", () => softDelete(t.db, missing, eq(missing.id, "x"))],
      ["restore", () => restore(t.db, missing, { all: true })],
      ["purgeDeleted", () => purgeDeleted(t.db, missing, { olderThan: new Date() })],
    ] as const) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(SoftDeleteError);
      expect((error as SoftDeleteError).operation).toBe(operation);
      expect(error.message).toBe(
        `@be-monorepo/db: ${operation}() failed: relation "bedb_never_created" does not exist`,
      );
      expect((error.cause as { code?: string }).code).toBe("42P01");
      expect(error.cause?.constructor.name).not.toBe("DrizzleQueryError");
    }
  });

  it("UserNotFoundError stays a runtime SoftDeleteError without a cause", async () => {
    const error = await rejection(softDeleteUser(t.db, "nobody"));
    expect(error).toBeInstanceOf(UserNotFoundError);
    expect(error).toBeInstanceOf(SoftDeleteError);
    expect(error).not.toBeInstanceOf(TypeError);
    expect(error.cause).toBeUndefined();
  });
});
