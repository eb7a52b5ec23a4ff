/**
 * Upgrading a database that holds the original app's tables (migrations 0000 and 0001) and their rows: the full
 * `migrate()` keeps every row and every instant. Old `timestamp` columns hold the UTC wall-clock times drizzle
 * wrote; after the conversion to `timestamptz` each reads back as the same `Date`.
 */
import { randomUUID } from "node:crypto";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { migrate, migrationStatus } from "../../src/migrate/index.js";
import { accountTable, rateLimitTable, sessionTable, userTable, verificationTable } from "../../src/schema/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { migrateOriginal, seedTables } from "../support/original-app.js";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("upgrade");
  await migrateOriginal(t.db);
});
afterAll(() => t?.close());

const at = (iso: string) => new Date(iso);

it("keeps every row of all five tables, with the same instants, through the full migrate()", async () => {
  const seed =
    t.kind === "postgres"
      ? drizzlePg(t.db.$client as pg.Pool, { schema: seedTables, casing: "snake_case" })
      : drizzlePglite(t.db.$client as never, { schema: seedTables, casing: "snake_case" });

  const users = [
    {
      id: randomUUID(),
      name: "Ada",
      email: "ada@example.com",
      emailVerified: true,
      image: "https://example.com/ada.png",
      createdAt: at("2025-01-31T23:30:00.123Z"),
      updatedAt: at("2025-06-30T12:00:00.456Z"),
      deletedAt: null,
    },
    // created_at left to the database default; updated_at null; soft-deleted.
    { id: randomUUID(), name: "Bob", email: "bob@example.com", deletedAt: at("2025-12-31T23:59:59.999Z") },
  ];
  await seed.insert(seedTables.user).values(users);
  const userId = users[0]?.id as string;
  await seed.insert(seedTables.session).values({
    id: randomUUID(),
    token: randomUUID(),
    userId,
    expiresAt: at("2026-03-29T01:30:00.000Z"),
    ipAddress: "203.0.113.7",
    userAgent: "test",
    createdAt: at("2025-03-30T02:30:00.000Z"),
  });
  await seed.insert(seedTables.account).values({
    id: randomUUID(),
    accountId: userId,
    providerId: "github",
    userId,
    accessToken: "access",
    refreshToken: "refresh",
    idToken: "id",
    accessTokenExpiresAt: at("2026-07-01T00:00:00.001Z"),
    refreshTokenExpiresAt: at("2026-10-25T00:59:59.000Z"),
    scope: "read:user",
    password: null,
  });
  await seed.insert(seedTables.verification).values({
    id: randomUUID(),
    identifier: "email-verification:ada@example.com",
    value: "token",
    expiresAt: at("2026-11-30T10:00:00.000Z"),
  });
  await seed.insert(seedTables.rateLimit).values([
    { key: "203.0.113.7|/sign-in/email", count: 3, lastRequest: 1_767_225_600_000 },
    { key: "api:198.51.100.1", count: 2_147_483_647, lastRequest: Number.MAX_SAFE_INTEGER },
  ]);

  const before = {
    user: await seed.select().from(seedTables.user),
    session: await seed.select().from(seedTables.session),
    account: await seed.select().from(seedTables.account),
    verification: await seed.select().from(seedTables.verification),
    rateLimit: await seed.select().from(seedTables.rateLimit),
  };
  // Upgrade through a connection whose session TimeZone is not UTC: the conversion must not depend on it.
  let applied: string[];
  if (t.kind === "postgres") {
    const pool = new pg.Pool({ connectionString: t.url, max: 1, options: "-c TimeZone=Asia/Jakarta" });
    try {
      applied = (await migrate(drizzlePg(pool))).applied.map((m) => m.tag);
    } finally {
      await pool.end();
    }
  } else {
    applied = (await migrate(t.db)).applied.map((m) => m.tag);
  }
  // Everything after the original app's two migrations, and only that.
  const shipped = (await migrationStatus(t.db)).applied.map((m) => m.tag);
  expect(shipped.slice(0, 3)).toEqual(["0000_auth_tables", "0001_rate_limit", "0002_auth_fixes"]);
  expect(applied).toEqual(shipped.slice(2));
  expect((await migrationStatus(t.db)).pending).toEqual([]);

  const after = {
    user: await t.db.select().from(userTable),
    session: await t.db.select().from(sessionTable),
    account: await t.db.select().from(accountTable),
    verification: await t.db.select().from(verificationTable),
    rateLimit: await t.db.select().from(rateLimitTable),
  };
  const byId = <R extends { id: string }>(list: R[]) => [...list].sort((a, b) => a.id.localeCompare(b.id));
  expect(byId(after.user)).toEqual(byId(before.user));
  expect(byId(after.session)).toEqual(byId(before.session));
  expect(byId(after.account)).toEqual(byId(before.account));
  expect(byId(after.verification)).toEqual(byId(before.verification));
  // rate_limit.id was uuid and is text now: same values, as strings. Rows from before 0003 have no window_start,
  // nor (0004) previous_count or blocked_until.
  expect(byId(after.rateLimit)).toEqual(
    byId(
      before.rateLimit.map((r) => ({
        ...r,
        id: String(r.id),
        windowStart: null,
        previousCount: null,
        blockedUntil: null,
      })),
    ),
  );
  // toEqual compares Dates by instant; spell one out so a shift cannot hide.
  expect(after.user.find((u) => u.name === "Ada")?.createdAt.toISOString()).toBe("2025-01-31T23:30:00.123Z");
  expect(after.account[0]?.accessTokenExpiresAt?.toISOString()).toBe("2026-07-01T00:00:00.001Z");

  // Cascades still hold after the upgrade.
  await t.db.delete(userTable);
  expect(await t.db.select().from(sessionTable)).toEqual([]);
  expect(await t.db.select().from(accountTable)).toEqual([]);
});
