/**
 * Each fix the package makes to the seed's schema, shown both ways: the failure on the original app's tables
 * (migrations 0000 and 0001 only, read and written through the seed's own table definitions) and the same
 * operation succeeding on the package's tables (every shipped migration, `authSchema`).
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { eq, sql } from "drizzle-orm";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/migrate/index.js";
import {
  accountTable,
  authSchema,
  rateLimitTable,
  sessionTable,
  userTable,
  verificationTable,
} from "../../src/schema/index.js";
import { rowsOf as rows } from "../../src/shared/rows.js";
import { createTestDatabase, serverUrl, type TestDatabase } from "../support/database.js";
import { rejectionPgError } from "../support/errors.js";
import { migrateOriginal, seedTables } from "../support/original-app.js";

const HOUR = 3_600_000;
const JAKARTA_OFFSET = 7 * HOUR; // Asia/Jakarta is UTC+7 all year (no daylight saving time).

/** A drizzle instance on `t`'s connection with the given schema (and options), for either driver. */
// biome-ignore lint/suspicious/noExplicitAny: the schema varies by test; drizzle's generics add nothing here.
function drizzleOn(t: TestDatabase, options: { schema: Record<string, unknown>; casing?: "snake_case" }): any {
  return t.kind === "postgres"
    ? drizzlePg(t.db.$client as pg.Pool, options)
    : drizzlePglite(t.db.$client as ConstructorParameters<typeof Object>[0], options);
}

let original: TestDatabase;
let ours: TestDatabase;
/** The original tables, through the seed's definitions and `casing: 'snake_case'`, as the original app had them. */
// biome-ignore lint/suspicious/noExplicitAny: see drizzleOn.
let seedDb: any;

beforeAll(async () => {
  [original, ours] = await Promise.all([createTestDatabase("seed_original"), createTestDatabase("seed_ours")]);
  await Promise.all([migrateOriginal(original.db), migrate(ours.db)]);
  seedDb = drizzleOn(original, { schema: seedTables, casing: "snake_case" });
});
afterAll(async () => {
  await Promise.all([original?.close(), ours?.close()]);
});

const auth = (database: ReturnType<typeof drizzleAdapter>, options: Parameters<typeof betterAuth>[0] = {}) =>
  betterAuth({
    baseURL: "http://localhost:3000",
    secret: "a-test-secret-of-at-least-thirty-two-characters",
    emailAndPassword: { enabled: true },
    ...options,
    database,
  });

const newUser = () => ({ email: `${randomUUID()}@example.com`, password: "correct horse battery", name: "Ada" });

describe("rate_limit.id: Better Auth's own 32-character ids", () => {
  // Better Auth only knows the `rateLimit` model when its rate limiter stores to the database.
  const options = { rateLimit: { storage: "database" as const } };
  const row = () => ({ key: `203.0.113.7|/sign-in/email|${randomUUID()}`, count: 1, lastRequest: Date.now() });

  it("are rejected by the seed's uuid column with 22P02 (invalid input syntax for type uuid)", async () => {
    const adapter = drizzleAdapter(seedDb, { provider: "pg", schema: seedTables })(options);
    const error = await rejectionPgError(adapter.create({ model: "rateLimit", data: row() }));
    expect(error.code).toBe("22P02");
    expect(error.message).toMatch(/invalid input syntax for type uuid/);
  });

  it("so Better Auth's database rate limiter fails every sign-in request on the original tables", async () => {
    const instance = auth(drizzleAdapter(seedDb, { provider: "pg", schema: seedTables }), {
      rateLimit: { enabled: true, storage: "database", max: 3 },
    });
    const request = new Request("http://localhost:3000/api/auth/sign-in/email", {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": "203.0.113.7" },
      body: JSON.stringify({ email: "nobody@example.com", password: "whatever-password" }),
    });
    const error = await rejectionPgError(instance.handler(request));
    expect(error.code).toBe("22P02");
  });

  it("are stored as given by the package's text id", async () => {
    const adapter = drizzleAdapter(ours.db, { provider: "pg", schema: authSchema })(options);
    const created = await adapter.create<{ key: string; count: number; lastRequest: number }, { id: string }>({
      model: "rateLimit",
      data: row(),
    });
    expect(created.id).toMatch(/^[A-Za-z0-9]{32}$/);
    const [stored] = await ours.db.select().from(rateLimitTable).where(eq(rateLimitTable.id, created.id));
    expect(stored?.id).toBe(created.id);
  });
});

describe("generateId: 'uuid' (Better Auth leaves the id to the database)", () => {
  const options = { advanced: { database: { generateId: "uuid" as const } } };
  const data = () => ({ name: "Ada", email: `${randomUUID()}@example.com`, emailVerified: false });

  it("fails on the seed's user.id, which has no default: not-null violation (23502) on id", async () => {
    const adapter = drizzleAdapter(seedDb, { provider: "pg", schema: seedTables })(options);
    const error = await rejectionPgError(adapter.create({ model: "user", data: data() }));
    expect(error.code).toBe("23502");
    expect(error.column).toBe("id");
    await expect(
      auth(drizzleAdapter(seedDb, { provider: "pg", schema: seedTables }), options).api.signUpEmail({
        body: newUser(),
      }),
    ).rejects.toThrow(/Failed to create user/);
  });

  it("gets a UUID from the package's column default", async () => {
    const adapter = drizzleAdapter(ours.db, { provider: "pg", schema: authSchema })(options);
    const created = await adapter.create<ReturnType<typeof data>, { id: string }>({ model: "user", data: data() });
    expect(created.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe("rows inserted without an id", () => {
  it("are refused by the seed's four auth tables (23502 on id); only rate_limit had a default", async () => {
    const userId = randomUUID();
    await seedDb.insert(seedTables.user).values({ id: userId, name: "Ada", email: `${userId}@example.com` });
    const expires = new Date(Date.now() + HOUR);
    const attempts = [
      seedDb.insert(seedTables.user).values({ name: "Ada", email: `${randomUUID()}@example.com` }),
      seedDb.insert(seedTables.session).values({ token: randomUUID(), userId, expiresAt: expires }),
      seedDb.insert(seedTables.account).values({ accountId: userId, providerId: "credential", userId }),
      seedDb.insert(seedTables.verification).values({ identifier: "email", value: "v", expiresAt: expires }),
    ];
    for (const attempt of attempts) {
      const error = await rejectionPgError(attempt);
      expect(error.code).toBe("23502");
      expect(error.column).toBe("id");
    }
  });

  it("get an id from the database in all five of the package's tables", async () => {
    const expires = new Date(Date.now() + HOUR);
    const [user] = await ours.db
      .insert(userTable)
      .values({ name: "Ada", email: `${randomUUID()}@example.com` })
      .returning();
    if (!user) throw new Error("no user returned");
    const ids = [
      user.id,
      ...(
        await ours.db
          .insert(sessionTable)
          .values({ token: randomUUID(), userId: user.id, expiresAt: expires })
          .returning()
      ).map((r) => r.id),
      ...(
        await ours.db
          .insert(accountTable)
          .values({ accountId: user.id, providerId: "credential", userId: user.id })
          .returning()
      ).map((r) => r.id),
      ...(
        await ours.db
          .insert(verificationTable)
          .values({ identifier: "email", value: "v", expiresAt: expires })
          .returning()
      ).map((r) => r.id),
      ...(await ours.db.insert(rateLimitTable).values({ key: randomUUID(), lastRequest: Date.now() }).returning()).map(
        (r) => r.id,
      ),
    ];
    expect(ids).toHaveLength(5);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("timestamps in a database session whose TimeZone is Asia/Jakarta", () => {
  /** Runs `fn` with a drizzle instance whose every connection has `TimeZone = 'Asia/Jakarta'`. */
  async function inJakarta<T>(
    t: TestDatabase,
    schema: Record<string, unknown>,
    casing: "snake_case" | undefined,
    // biome-ignore lint/suspicious/noExplicitAny: see drizzleOn.
    fn: (db: any) => Promise<T>,
  ): Promise<T> {
    if (t.kind === "postgres") {
      const pool = new pg.Pool({ connectionString: t.url, max: 1, options: "-c TimeZone=Asia/Jakarta" });
      try {
        return await fn(drizzlePg(pool, { schema, casing }));
      } finally {
        await pool.end();
      }
    }
    const db = drizzleOn(t, { schema, casing });
    await db.execute(sql`set time zone 'Asia/Jakarta'`);
    try {
      return await fn(db);
    } finally {
      await db.execute(sql`reset time zone`);
    }
  }

  it("stores the seed's created_at seven hours in the future, as read back by drizzle", async () => {
    const { zone, user } = await inJakarta(original, seedTables, "snake_case", async (db) => {
      const [shown] = rows(await db.execute(sql`show timezone`));
      const [inserted] = await db
        .insert(seedTables.user)
        .values({ id: randomUUID(), name: "Ada", email: `${randomUUID()}@example.com` })
        .returning();
      return { zone: shown?.TimeZone, user: inserted };
    });
    expect(zone).toBe("Asia/Jakarta");
    const off = user.createdAt.getTime() - Date.now();
    expect(Math.abs(off - JAKARTA_OFFSET)).toBeLessThan(60_000);
  });

  it("stores the instant meant in the package's created_at", async () => {
    const user = await inJakarta(ours, authSchema, undefined, async (db) => {
      const [inserted] = await db
        .insert(userTable)
        .values({ name: "Ada", email: `${randomUUID()}@example.com` })
        .returning();
      return inserted;
    });
    expect(Math.abs(user.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
    const [again] = await ours.db.select().from(userTable).where(eq(userTable.id, user.id));
    expect(again?.createdAt.getTime()).toBe(user.createdAt.getTime());
  });
});

describe("timestamps written by a Node process whose TZ is Asia/Jakarta", () => {
  /**
   * In a child process with `TZ=Asia/Jakarta`, writes `expires_at = at` into `verification` with plain
   * node-postgres (which sends a `Date` as local time with its offset) and returns the row's id.
   */
  async function writeFromJakarta(url: string, at: Date): Promise<string> {
    const id = randomUUID();
    const script = `
      import pg from "pg";
      const client = new pg.Client({ connectionString: process.env.TARGET_URL });
      await client.connect();
      await client.query("insert into verification (id, identifier, value, expires_at) values ($1, 'tz', 'v', $2)",
        [process.env.ROW_ID, new Date(Number(process.env.AT))]);
      await client.end();
      console.log(Intl.DateTimeFormat().resolvedOptions().timeZone);`;
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
      env: { ...process.env, TZ: "Asia/Jakarta", TARGET_URL: url, ROW_ID: id, AT: String(at.getTime()) },
    });
    expect(stdout.trim()).toBe("Asia/Jakarta");
    return id;
  }

  const at = new Date("2026-01-15T12:00:00.000Z");

  it.skipIf(!serverUrl)("are read back seven hours off from the seed's columns (needs a server)", async () => {
    const id = await writeFromJakarta(original.url as string, at);
    const [row] = await seedDb.select().from(seedTables.verification).where(eq(seedTables.verification.id, id));
    expect(row.expiresAt.getTime() - at.getTime()).toBe(JAKARTA_OFFSET);
  });

  it.skipIf(!serverUrl)("are read back as the same instant from the package's columns (needs a server)", async () => {
    const id = await writeFromJakarta(ours.url as string, at);
    const [row] = await ours.db.select().from(verificationTable).where(eq(verificationTable.id, id));
    expect(row?.expiresAt.toISOString()).toBe(at.toISOString());
  });
});

describe("indexes on the columns Better Auth looks rows up by", () => {
  const wanted = ["session.user_id", "account.user_id", "verification.identifier"];

  /** `table.column` for every index of the public schema, by its first column. */
  async function indexedColumns(t: TestDatabase): Promise<string[]> {
    const found = rows(await t.db.execute(sql`select tablename, indexdef from pg_indexes where schemaname = 'public'`));
    return found.map((r) => `${r.tablename}.${/\(\s*"?([a-z_]+)"?/.exec(String(r.indexdef))?.[1]}`);
  }

  it("are missing on the seed's tables", async () => {
    const indexed = await indexedColumns(original);
    for (const column of wanted) expect(indexed).not.toContain(column);
  });

  it("exist on the package's tables", async () => {
    const indexed = await indexedColumns(ours);
    for (const column of wanted) expect(indexed).toContain(column);
  });
});

describe("advanced.database.joins with a drizzle instance made with `schema`", () => {
  const joins = { advanced: { database: { joins: true } } };
  const tablesOnly = {
    user: userTable,
    session: sessionTable,
    account: accountTable,
    verification: verificationTable,
    rateLimit: rateLimitTable,
  };

  async function signUpAndIn(db: unknown, schema: Record<string, unknown>) {
    // biome-ignore lint/suspicious/noExplicitAny: drizzleAdapter accepts any drizzle database.
    const instance = auth(drizzleAdapter(db as any, { provider: "pg", schema }), joins);
    const user = newUser();
    await instance.api.signUpEmail({ body: user });
    return instance.api.signInEmail({ body: { email: user.email, password: user.password } });
  }

  it("fails sign-in on the seed's tables, which have no relations (TypeError reading 'referencedTable')", async () => {
    await expect(
      signUpAndIn(drizzleOn(original, { schema: seedTables, casing: "snake_case" }), seedTables),
    ).rejects.toThrow(/referencedTable/);
  });

  it("fails the same way on the package's tables without their relations: the relations are the fix", async () => {
    await expect(signUpAndIn(drizzleOn(ours, { schema: tablesOnly }), tablesOnly)).rejects.toThrow(/referencedTable/);
  });

  it("signs in with authSchema, relations included", async () => {
    const result = await signUpAndIn(ours.db, authSchema);
    expect(result.token).toEqual(expect.any(String));
    expect(result.user.email).toMatch(/@example\.com$/);
  });
});
