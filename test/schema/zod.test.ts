/**
 * The Zod schemas against real rows: each `select…TableSchema` accepts what the database gives back (rows written
 * with every column set, and rows left to the column defaults), the insert and update schemas accept valid input and
 * reject wrong types, and the numeric limits are PostgreSQL's own (`integer` for `count`, and 2^53 − 1 for the
 * `bigint` `last_request` read as a JavaScript number).
 */
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  accountTable,
  insertAccountTableSchema,
  insertRateLimitTableSchema,
  insertSessionTableSchema,
  insertUserTableSchema,
  insertVerificationTableSchema,
  rateLimitTable,
  selectAccountTableSchema,
  selectRateLimitTableSchema,
  selectSessionTableSchema,
  selectUserTableSchema,
  selectVerificationTableSchema,
  sessionTable,
  updateAccountTableSchema,
  updateRateLimitTableSchema,
  updateSessionTableSchema,
  updateUserTableSchema,
  updateVerificationTableSchema,
  userTable,
  verificationTable,
} from "../../src/schema/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { rejectionPgError } from "../support/errors.js";

const INT32_MAX = 2 ** 31 - 1;
const INT32_MIN = -(2 ** 31);
const now = () => new Date();
const later = () => new Date(Date.now() + 3_600_000);

let t: TestDatabase;
let userId: string;
beforeAll(async () => {
  t = await createTestDatabase("zod", { migrated: true });
  const [user] = await t.db
    .insert(userTable)
    .values({ name: "Owner", email: `${randomUUID()}@example.com` })
    .returning();
  userId = user?.id as string;
});
afterAll(() => t?.close());

describe("select schemas accept rows read back from the database", () => {
  it("user: every column set, and defaults only", async () => {
    await t.db.insert(userTable).values([
      {
        id: randomUUID(),
        name: "Ada",
        email: `${randomUUID()}@example.com`,
        emailVerified: true,
        image: "https://example.com/a.png",
        createdAt: now(),
        updatedAt: now(),
        deletedAt: now(),
      },
      { name: "Bob", email: `${randomUUID()}@example.com` },
    ]);
    const rows = await t.db.select().from(userTable);
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const row of rows) expect(selectUserTableSchema.parse(row)).toEqual(row);
  });

  it("session, account, verification: every column set, and defaults only", async () => {
    await t.db.insert(sessionTable).values([
      {
        id: randomUUID(),
        token: randomUUID(),
        userId,
        expiresAt: later(),
        ipAddress: "203.0.113.7",
        userAgent: "agent",
        createdAt: now(),
        updatedAt: now(),
        deletedAt: now(),
      },
      { token: randomUUID(), userId, expiresAt: later() },
    ]);
    await t.db.insert(accountTable).values([
      {
        accountId: "gh-1",
        providerId: "github",
        userId,
        accessToken: "a",
        refreshToken: "r",
        idToken: "i",
        accessTokenExpiresAt: later(),
        refreshTokenExpiresAt: later(),
        scope: "read",
        password: "hash",
        updatedAt: now(),
        deletedAt: now(),
      },
      { accountId: userId, providerId: "credential", userId },
    ]);
    await t.db.insert(verificationTable).values([
      { identifier: "reset", value: "v", expiresAt: later(), updatedAt: now(), deletedAt: now() },
      { identifier: "verify", value: "w", expiresAt: later() },
    ]);
    const sessions = await t.db.select().from(sessionTable);
    const accounts = await t.db.select().from(accountTable);
    const verifications = await t.db.select().from(verificationTable);
    expect([sessions.length, accounts.length, verifications.length]).toEqual([2, 2, 2]);
    for (const row of sessions) expect(selectSessionTableSchema.parse(row)).toEqual(row);
    for (const row of accounts) expect(selectAccountTableSchema.parse(row)).toEqual(row);
    for (const row of verifications) expect(selectVerificationTableSchema.parse(row)).toEqual(row);
  });

  it("rate_limit, including the largest count and last_request the columns hold as numbers", async () => {
    await t.db.insert(rateLimitTable).values([
      { key: `k:${randomUUID()}`, count: INT32_MAX, lastRequest: Number.MAX_SAFE_INTEGER },
      { key: `k:${randomUUID()}`, lastRequest: Date.now() },
    ]);
    const rows = await t.db.select().from(rateLimitTable);
    expect(rows.map((r) => r.count).sort()).toEqual([0, INT32_MAX]);
    expect(rows.some((r) => r.lastRequest === Number.MAX_SAFE_INTEGER)).toBe(true);
    for (const row of rows) expect(selectRateLimitTableSchema.parse(row)).toEqual(row);
  });

  it("reject a row with a missing column or a wrong type", () => {
    const row = { id: "x", name: "A", email: "a@example.com", emailVerified: false, image: null, createdAt: now() };
    expect(selectUserTableSchema.safeParse({ ...row, updatedAt: null, deletedAt: null }).success).toBe(true);
    expect(selectUserTableSchema.safeParse(row).success).toBe(false); // updatedAt, deletedAt missing
    expect(selectUserTableSchema.safeParse({ ...row, updatedAt: null, deletedAt: "yesterday" }).success).toBe(false);
  });
});

describe("insert and update schemas", () => {
  const valid = () => ({
    user: { name: "Ada", email: "ada@example.com" },
    session: { token: "t", userId: "u", expiresAt: later() },
    account: { accountId: "a", providerId: "credential", userId: "u" },
    verification: { identifier: "i", value: "v", expiresAt: later() },
    rateLimit: { key: "k", lastRequest: Date.now() },
  });
  const schemas = {
    user: [insertUserTableSchema, updateUserTableSchema],
    session: [insertSessionTableSchema, updateSessionTableSchema],
    account: [insertAccountTableSchema, updateAccountTableSchema],
    verification: [insertVerificationTableSchema, updateVerificationTableSchema],
    rateLimit: [insertRateLimitTableSchema, updateRateLimitTableSchema],
  } as const;
  /** One wrong-typed column per table. */
  const wrong = {
    user: { emailVerified: "yes" },
    session: { expiresAt: "tomorrow" },
    account: { userId: 42 },
    verification: { value: null },
    rateLimit: { count: "3" },
  };

  it("insert schemas accept minimal valid input (id, created_at and defaults optional) and full rows", () => {
    for (const [model, input] of Object.entries(valid())) {
      const [insert] = schemas[model as keyof typeof schemas];
      expect(insert.safeParse(input).success, model).toBe(true);
      expect(insert.safeParse({ ...input, id: "given", createdAt: now() }).success, model).toBe(true);
    }
  });

  it("insert schemas reject wrong types and missing required columns", () => {
    for (const [model, input] of Object.entries(valid())) {
      const [insert] = schemas[model as keyof typeof schemas];
      expect(insert.safeParse({ ...input, ...wrong[model as keyof typeof wrong] }).success, model).toBe(false);
      expect(insert.safeParse({}).success, model).toBe(false);
    }
  });

  it("update schemas accept any subset of columns and reject wrong types", () => {
    for (const model of Object.keys(schemas) as (keyof typeof schemas)[]) {
      const [, update] = schemas[model];
      expect(update.safeParse({}).success, model).toBe(true);
      expect(update.safeParse({ id: "x" }).success, model).toBe(true);
      expect(update.safeParse(wrong[model]).success, model).toBe(false);
    }
  });
});

describe("numeric limits of rate_limit", () => {
  const base = { key: "k", count: 1, lastRequest: 1, windowStart: null, previousCount: null, blockedUntil: null };
  const all = [insertRateLimitTableSchema, updateRateLimitTableSchema, selectRateLimitTableSchema];
  const row = (patch: object) => ({ id: "x", ...base, ...patch });

  it("count: integers within int32 pass; beyond int32, or fractional, fail", () => {
    for (const schema of all) {
      expect(schema.safeParse(row({ count: INT32_MAX })).success).toBe(true);
      expect(schema.safeParse(row({ count: INT32_MIN })).success).toBe(true);
      expect(schema.safeParse(row({ count: INT32_MAX + 1 })).success).toBe(false);
      expect(schema.safeParse(row({ count: INT32_MIN - 1 })).success).toBe(false);
      expect(schema.safeParse(row({ count: 1.5 })).success).toBe(false);
    }
  });

  it("count: the limit is PostgreSQL's, which refuses 2^31 with 22003 (out of range)", async () => {
    const error = await rejectionPgError(
      t.db.execute(sql`insert into rate_limit (key, count, last_request) values ('over', ${INT32_MAX + 1}, 1)`),
    );
    expect(error.code).toBe("22003");
  });

  it("last_request: up to 2^53 − 1 passes; 2^53 and beyond fail (not exact as a JavaScript number)", () => {
    for (const schema of all) {
      expect(schema.safeParse(row({ lastRequest: Number.MAX_SAFE_INTEGER })).success).toBe(true);
      expect(schema.safeParse(row({ lastRequest: 2 ** 53 })).success).toBe(false);
      expect(schema.safeParse(row({ lastRequest: 2 ** 63 })).success).toBe(false);
      expect(schema.safeParse(row({ lastRequest: "1700000000000" })).success).toBe(false);
    }
  });
});
