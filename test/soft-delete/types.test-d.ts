import { eq, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { alias, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { describe, expectTypeOf, it } from "vitest";
import {
  accountTable,
  rateLimitTable,
  sessionTable,
  timestamps,
  userTable,
  verificationTable,
} from "../../src/schema/index.js";
import {
  notDeleted,
  onlyDeleted,
  purgeDeleted,
  restore,
  type SoftDeletableTable,
  softDelete,
  softDeleteUser,
} from "../../src/soft-delete/index.js";

const db = drizzle.mock();

describe("soft-delete types", () => {
  it("accepts every table with a nullable deletedAt date column", () => {
    expectTypeOf(userTable).toExtend<SoftDeletableTable>();
    expectTypeOf(sessionTable).toExtend<SoftDeletableTable>();
    expectTypeOf(accountTable).toExtend<SoftDeletableTable>();
    expectTypeOf(verificationTable).toExtend<SoftDeletableTable>();
    const hostTable = pgTable("post", { id: text("id").primaryKey(), ...timestamps });
    expectTypeOf(hostTable).toExtend<SoftDeletableTable>();
    expectTypeOf(alias(userTable, "u")).toExtend<SoftDeletableTable>();
  });

  it("refuses rateLimitTable, which has no deletedAt column, at compile time", () => {
    expectTypeOf(rateLimitTable).not.toExtend<SoftDeletableTable>();
    // @ts-expect-error rate_limit has no deleted_at
    softDelete(db, rateLimitTable, { all: true });
    // @ts-expect-error rate_limit has no deleted_at
    restore(db, rateLimitTable, { all: true });
    // @ts-expect-error rate_limit has no deleted_at
    notDeleted(rateLimitTable);
    // @ts-expect-error rate_limit has no deleted_at
    onlyDeleted(rateLimitTable);
    // @ts-expect-error rate_limit has no deleted_at
    purgeDeleted(db, rateLimitTable, { olderThan: new Date() });
  });

  it("refuses a deletedAt column that is NOT NULL or not a Date", () => {
    const notNullable = pgTable("a", {
      id: text("id").primaryKey(),
      deletedAt: timestamp("deleted_at", { mode: "date" }).notNull(),
    });
    const asString = pgTable("b", {
      id: text("id").primaryKey(),
      deletedAt: timestamp("deleted_at", { mode: "string" }),
    });
    expectTypeOf(notNullable).not.toExtend<SoftDeletableTable>();
    expectTypeOf(asString).not.toExtend<SoftDeletableTable>();
  });

  it("requires the where argument: a condition or { all: true }", () => {
    // @ts-expect-error where is required
    softDelete(db, userTable);
    // @ts-expect-error where is required
    restore(db, userTable);
    // @ts-expect-error only { all: true } stands for the whole table
    softDelete(db, userTable, { all: false });
    softDelete(db, userTable, { all: true });
    softDelete(db, userTable, eq(userTable.id, "x"));
  });

  it("returns the table's own row type", () => {
    expectTypeOf(softDelete(db, userTable, { all: true })).resolves.toEqualTypeOf<(typeof userTable.$inferSelect)[]>();
    expectTypeOf(restore(db, sessionTable, { all: true })).resolves.toEqualTypeOf<
      (typeof sessionTable.$inferSelect)[]
    >();
    expectTypeOf(purgeDeleted(db, userTable, { olderThan: new Date() })).resolves.toEqualTypeOf<number>();
    expectTypeOf(notDeleted(userTable)).toEqualTypeOf<SQL>();
    expectTypeOf(softDeleteUser(db, "id")).resolves.toHaveProperty("sessionsEnded").toEqualTypeOf<number>();
  });
});
