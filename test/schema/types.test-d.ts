/**
 * Type tests (vitest `--typecheck`): the row types have the field types the tables promise, the insert types make
 * database-filled columns optional, and every name the package promises is exported from `@be-monorepo/db` and
 * `@be-monorepo/db/schema` (here their sources, `src/index.ts` and `src/schema/index.ts`).
 */
import { describe, expectTypeOf, it } from "vitest";
import type * as RootTypes from "../../src/index.js";
import type * as root from "../../src/index.js";
import type {
  AccountTable,
  InsertAccountTable,
  InsertRateLimitTable,
  InsertSessionTable,
  InsertUserTable,
  InsertVerificationTable,
  RateLimitTable,
  SessionTable,
  UserTable,
  VerificationTable,
} from "../../src/schema/index.js";
import * as schema from "../../src/schema/index.js";

type Lifecycle = { createdAt: Date; updatedAt: Date | null; deletedAt: Date | null };
/** `A & B` as one object type, so `toEqualTypeOf` compares fields, not the shape of the intersection. */
type Row<T> = { [K in keyof (T & Lifecycle)]: (T & Lifecycle)[K] };

describe("select row types", () => {
  it("UserTable", () => {
    expectTypeOf<UserTable>().toEqualTypeOf<
      Row<{ id: string; name: string; email: string; emailVerified: boolean; image: string | null }>
    >();
  });
  it("SessionTable", () => {
    expectTypeOf<SessionTable>().toEqualTypeOf<
      Row<{
        id: string;
        expiresAt: Date;
        token: string;
        ipAddress: string | null;
        userAgent: string | null;
        userId: string;
      }>
    >();
  });
  it("AccountTable", () => {
    expectTypeOf<AccountTable>().toEqualTypeOf<
      Row<{
        id: string;
        accountId: string;
        providerId: string;
        userId: string;
        accessToken: string | null;
        refreshToken: string | null;
        idToken: string | null;
        accessTokenExpiresAt: Date | null;
        refreshTokenExpiresAt: Date | null;
        scope: string | null;
        password: string | null;
      }>
    >();
  });
  it("VerificationTable", () => {
    expectTypeOf<VerificationTable>().toEqualTypeOf<
      Row<{ id: string; identifier: string; value: string; expiresAt: Date }>
    >();
  });
  it("RateLimitTable", () => {
    expectTypeOf<RateLimitTable>().toEqualTypeOf<{
      id: string;
      key: string;
      count: number;
      lastRequest: number;
      windowStart: number | null;
      previousCount: number | null;
      blockedUntil: number | null;
    }>();
  });
  it("agree with drizzle's own $inferSelect", () => {
    expectTypeOf<UserTable>().toEqualTypeOf<typeof schema.userTable.$inferSelect>();
    expectTypeOf<SessionTable>().toEqualTypeOf<typeof schema.sessionTable.$inferSelect>();
    expectTypeOf<AccountTable>().toEqualTypeOf<typeof schema.accountTable.$inferSelect>();
    expectTypeOf<VerificationTable>().toEqualTypeOf<typeof schema.verificationTable.$inferSelect>();
    expectTypeOf<RateLimitTable>().toEqualTypeOf<typeof schema.rateLimitTable.$inferSelect>();
  });
});

describe("insert row types", () => {
  type DbFilled = { id?: string | undefined; createdAt?: Date | undefined };
  it("make id and createdAt optional", () => {
    expectTypeOf<Pick<InsertUserTable, "id" | "createdAt">>().toEqualTypeOf<DbFilled>();
    expectTypeOf<Pick<InsertSessionTable, "id" | "createdAt">>().toEqualTypeOf<DbFilled>();
    expectTypeOf<Pick<InsertAccountTable, "id" | "createdAt">>().toEqualTypeOf<DbFilled>();
    expectTypeOf<Pick<InsertVerificationTable, "id" | "createdAt">>().toEqualTypeOf<DbFilled>();
    expectTypeOf<Pick<InsertRateLimitTable, "id">>().toEqualTypeOf<{ id?: string | undefined }>();
  });
  it("keep required columns required", () => {
    expectTypeOf({ name: "Ada", email: "ada@example.com" }).toExtend<InsertUserTable>();
    expectTypeOf({ name: "Ada" }).not.toExtend<InsertUserTable>();
    expectTypeOf({ token: "t", userId: "u", expiresAt: new Date() }).toExtend<InsertSessionTable>();
    expectTypeOf({ token: "t", userId: "u" }).not.toExtend<InsertSessionTable>();
    expectTypeOf({ accountId: "a", providerId: "p", userId: "u" }).toExtend<InsertAccountTable>();
    expectTypeOf({ identifier: "i", value: "v", expiresAt: new Date() }).toExtend<InsertVerificationTable>();
    expectTypeOf({ key: "k", lastRequest: 1 }).toExtend<InsertRateLimitTable>();
    expectTypeOf({ key: "k" }).not.toExtend<InsertRateLimitTable>();
    expectTypeOf<InsertRateLimitTable["count"]>().toEqualTypeOf<number | undefined>();
  });
});

/** Every value the issue lists for `/schema`. */
const schemaValues = [
  "timestamps",
  "userTable",
  "sessionTable",
  "accountTable",
  "verificationTable",
  "rateLimitTable",
  "authSchema",
  ...(["User", "Session", "Account", "Verification", "RateLimit"] as const).flatMap(
    (model) => [`select${model}TableSchema`, `insert${model}TableSchema`, `update${model}TableSchema`] as const,
  ),
] as const;
type SchemaValue = (typeof schemaValues)[number];

describe("exports", () => {
  it("every value is exported from src/schema/index.ts and src/index.ts", () => {
    expectTypeOf<SchemaValue>().toExtend<keyof typeof schema>();
    expectTypeOf<SchemaValue>().toExtend<keyof typeof root>();
    expectTypeOf<"migrate" | "migrationStatus" | "migrationsFolder" | "MigrationError">().toExtend<keyof typeof root>();
  });
  it("every row type is exported from both", () => {
    expectTypeOf<RootTypes.UserTable>().toEqualTypeOf<UserTable>();
    expectTypeOf<RootTypes.SessionTable>().toEqualTypeOf<SessionTable>();
    expectTypeOf<RootTypes.AccountTable>().toEqualTypeOf<AccountTable>();
    expectTypeOf<RootTypes.VerificationTable>().toEqualTypeOf<VerificationTable>();
    expectTypeOf<RootTypes.RateLimitTable>().toEqualTypeOf<RateLimitTable>();
    expectTypeOf<RootTypes.InsertUserTable>().toEqualTypeOf<InsertUserTable>();
    expectTypeOf<RootTypes.InsertSessionTable>().toEqualTypeOf<InsertSessionTable>();
    expectTypeOf<RootTypes.InsertAccountTable>().toEqualTypeOf<InsertAccountTable>();
    expectTypeOf<RootTypes.InsertVerificationTable>().toEqualTypeOf<InsertVerificationTable>();
    expectTypeOf<RootTypes.InsertRateLimitTable>().toEqualTypeOf<InsertRateLimitTable>();
  });
  it("authSchema is keyed by Better Auth's model names", () => {
    expectTypeOf(schema.authSchema).toHaveProperty("user");
    expectTypeOf(schema.authSchema).toHaveProperty("session");
    expectTypeOf(schema.authSchema).toHaveProperty("account");
    expectTypeOf(schema.authSchema).toHaveProperty("verification");
    expectTypeOf(schema.authSchema).toHaveProperty("rateLimit");
    expectTypeOf(schema.authSchema.user).toEqualTypeOf(schema.userTable);
    expectTypeOf(schema.authSchema.rateLimit).toEqualTypeOf(schema.rateLimitTable);
  });
});
