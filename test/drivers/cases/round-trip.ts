import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { BehaviourCase } from "./index.js";
import { rawRows, someInstant, unique } from "./rows.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Milliseconds since the epoch of a `timestamptz` column, computed by PostgreSQL itself (as text on every driver). */
const epochMs = (column: string) => sql.raw(`(extract(epoch from ${column}) * 1000)::bigint::text`);

/** The instant a Date holds, or a description of what came back instead. */
const instantOf = (value: unknown) => (value instanceof Date ? value.getTime() : `not a Date: ${String(value)}`);

/**
 * Every table: insert through drizzle with and without an id, read it back, and check the types the package
 * promises whatever the driver: ids as strings (the database default a UUID), timestamps as `Date`s holding the
 * instant written (the session TimeZone is +05:45, the Node process's −03:30), `rate_limit.last_request` as a JavaScript number, and rows the
 * Zod select schemas accept unchanged.
 */
export const roundTripCase: BehaviourCase = (context) => {
  describe("schema round-trip", () => {
    const {
      accountTable,
      rateLimitTable,
      selectAccountTableSchema,
      selectRateLimitTableSchema,
      selectSessionTableSchema,
      selectUserTableSchema,
      selectVerificationTableSchema,
      sessionTable,
      userTable,
      verificationTable,
    } = context.tables;
    it("user: id from the database or given, created_at set by the database, updated_at a Date after update()", async () => {
      const { db } = context;
      const tag = unique();
      const [made] = await db
        .insert(userTable)
        .values({ name: "Ada", email: `ada-${tag}@example.test` })
        .returning();
      expect(made?.id).toMatch(UUID);
      const givenId = `given-${tag}`;
      await db.insert(userTable).values({ id: givenId, name: "Bob", email: `bob-${tag}@example.test`, image: "x" });

      const [read] = await db
        .select()
        .from(userTable)
        .where(eq(userTable.id, made?.id as string));
      expect(read).toEqual(made);
      expect(read?.emailVerified).toBe(false);
      expect(read?.createdAt).toBeInstanceOf(Date);
      const [dbNow] = await rawRows(db, sql`select ${epochMs("now()")} as ms`);
      expect(Math.abs((read?.createdAt.getTime() ?? 0) - Number(dbNow?.ms))).toBeLessThan(60_000);
      expect(selectUserTableSchema.parse(read)).toEqual(read);

      const [given] = await db.select().from(userTable).where(eq(userTable.id, givenId));
      expect(given).toMatchObject({ id: givenId, name: "Bob", image: "x", deletedAt: null });
      expect(selectUserTableSchema.parse(given)).toEqual(given);

      const [updated] = await db.update(userTable).set({ name: "Bobby" }).where(eq(userTable.id, givenId)).returning();
      expect(updated?.updatedAt).toBeInstanceOf(Date);
      expect(updated?.name).toBe("Bobby");
    });

    it("session and account: timestamps hold the instant written, read by drizzle and by PostgreSQL", async () => {
      const { db } = context;
      expect(someInstant().getTimezoneOffset()).not.toBe(0); // the Node process is not on UTC (hosts.ts)
      const tag = unique();
      const [user] = await db
        .insert(userTable)
        .values({ name: "Cy", email: `cy-${tag}@example.test` })
        .returning();
      const userId = user?.id as string;
      const sessionId = randomUUID();
      await db.insert(sessionTable).values({ id: sessionId, token: `t-${tag}`, userId, expiresAt: someInstant() });
      const [session] = await db.select().from(sessionTable).where(eq(sessionTable.id, sessionId));
      expect(instantOf(session?.expiresAt)).toBe(someInstant().getTime());
      expect(selectSessionTableSchema.parse(session)).toEqual(session);
      const [stored] = await rawRows(
        db,
        sql`select ${epochMs("expires_at")} as ms from ${sessionTable} where id = ${sessionId}`,
      );
      expect(Number(stored?.ms)).toBe(someInstant().getTime());

      const [account] = await db
        .insert(accountTable)
        .values({
          accountId: `gh-${tag}`,
          providerId: "github",
          userId,
          accessToken: "at",
          accessTokenExpiresAt: someInstant(1),
        })
        .returning();
      expect(account?.id).toMatch(UUID);
      const [read] = await db
        .select()
        .from(accountTable)
        .where(eq(accountTable.id, account?.id as string));
      expect(read).toEqual(account);
      expect(instantOf(read?.accessTokenExpiresAt)).toBe(someInstant(1).getTime());
      expect(read?.refreshTokenExpiresAt).toBeNull();
      expect(selectAccountTableSchema.parse(read)).toEqual(read);
    });

    it("verification: round-trips with and without an id", async () => {
      const { db } = context;
      const tag = unique();
      const rows = await db
        .insert(verificationTable)
        .values([
          { identifier: `email:${tag}`, value: "v1", expiresAt: someInstant(2) },
          { id: `v-${tag}`, identifier: `email:${tag}`, value: "v2", expiresAt: someInstant(3) },
        ])
        .returning();
      expect(rows[0]?.id).toMatch(UUID);
      expect(rows[1]?.id).toBe(`v-${tag}`);
      const read = await db
        .select()
        .from(verificationTable)
        .where(eq(verificationTable.identifier, `email:${tag}`))
        .orderBy(verificationTable.value);
      expect(read.map((row) => instantOf(row.expiresAt))).toEqual([someInstant(2).getTime(), someInstant(3).getTime()]);
      for (const row of read) expect(selectVerificationTableSchema.parse(row)).toEqual(row);
    });

    it("rate_limit: last_request and window_start (bigint) come back as JavaScript numbers, up to 2^53 − 1", async () => {
      const { db } = context;
      const tag = unique();
      const now = Date.now();
      await db.insert(rateLimitTable).values([
        { key: `now-${tag}`, count: 3, lastRequest: now },
        {
          id: `rl-${tag}`,
          key: `max-${tag}`,
          lastRequest: Number.MAX_SAFE_INTEGER,
          windowStart: Number.MAX_SAFE_INTEGER - 1,
        },
      ]);
      const [current] = await db
        .select()
        .from(rateLimitTable)
        .where(eq(rateLimitTable.key, `now-${tag}`));
      expect(current?.id).toMatch(UUID);
      expect(typeof current?.lastRequest).toBe("number");
      expect(current).toMatchObject({ count: 3, lastRequest: now });
      expect(selectRateLimitTableSchema.parse(current)).toEqual(current);

      const [largest] = await db
        .select()
        .from(rateLimitTable)
        .where(eq(rateLimitTable.id, `rl-${tag}`));
      expect(largest).toEqual({
        id: `rl-${tag}`,
        key: `max-${tag}`,
        count: 0,
        lastRequest: Number.MAX_SAFE_INTEGER,
        windowStart: Number.MAX_SAFE_INTEGER - 1,
        previousCount: null,
        blockedUntil: null,
      });
      expect(selectRateLimitTableSchema.parse(largest)).toEqual(largest);

      const [picked] = await db
        .select({ lastRequest: rateLimitTable.lastRequest, count: rateLimitTable.count })
        .from(rateLimitTable)
        .where(eq(rateLimitTable.key, `now-${tag}`));
      expect(picked).toEqual({ lastRequest: now, count: 3 });
    });
  });
};
