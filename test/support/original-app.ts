import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { bigint, boolean, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { migrate, migrationsFolder } from "../../src/migrate/index.js";
import { readMigrationFolder } from "../../src/migrate/journal.js";
import type { AnyPgDatabase } from "../../src/shared/database.js";
import { tempDir } from "./temp.js";

/**
 * A database as the original Hono app left it: its drizzle-kit migrations 0000 and 0001 applied into `public`
 * and recorded, the way `drizzle-kit migrate` records them, in `drizzle.__drizzle_migrations` (hash = SHA-256 of
 * the file, created_at = the journal's `when`), next to one migration of the host's own.
 */
/** Applies the original migrations up to `count` (1 = only 0000, 2 = 0000 and 0001) and records them. */
export async function buildOriginalDatabase(db: AnyPgDatabase, count: 1 | 2): Promise<void> {
  await db.execute(sql`create schema drizzle`);
  await db.execute(
    sql`create table drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)`,
  );
  // The package's reader of the folder gives the same statements, SHA-256 and journal time drizzle-kit uses.
  for (const file of readMigrationFolder(migrationsFolder).slice(0, count)) {
    for (const statement of file.statements) await db.execute(sql.raw(statement));
    await db.execute(
      sql`insert into drizzle.__drizzle_migrations (hash, created_at) values (${file.hash}, ${file.createdAt})`,
    );
  }
  // The host's own migration, unrelated to this package, recorded in the same table.
  await db.execute(sql`create table post (id serial primary key, title text not null)`);
  await db.execute(
    sql`insert into drizzle.__drizzle_migrations (hash, created_at) values (${"f".repeat(64)}, ${1_900_000_000_000})`,
  );
}

const ORIGINAL_TAGS = ["0000_auth_tables", "0001_rate_limit"];

/** A temporary migrations folder with only the original app's two migrations. */
export function originalMigrationsFolder(): string {
  const folder = tempDir("original");
  mkdirSync(join(folder, "meta"));
  const journal = JSON.parse(readFileSync(join(migrationsFolder, "meta", "_journal.json"), "utf8")) as {
    entries: { tag: string }[];
  };
  for (const tag of ORIGINAL_TAGS) cpSync(join(migrationsFolder, `${tag}.sql`), join(folder, `${tag}.sql`));
  const entries = journal.entries.filter((entry) => ORIGINAL_TAGS.includes(entry.tag));
  if (entries.length !== ORIGINAL_TAGS.length) throw new Error("the shipped journal lost an original migration");
  writeFileSync(join(folder, "meta", "_journal.json"), JSON.stringify({ ...journal, entries }));
  return folder;
}

/** Creates the original app's tables (migrations 0000 and 0001 only) in `db`. */
export async function migrateOriginal(db: AnyPgDatabase): Promise<void> {
  await migrate(db, { migrationsFolder: originalMigrationsFolder() });
}

// The original app's table definitions (from its docs page): timestamps without time zone, uuid rate-limit ids,
// no indexes and no relations. Column names are spelled out as its `casing: 'snake_case'` produced them, so the
// tables work on a drizzle instance with or without that setting.
const timestamps = {
  createdAt: timestamp("created_at").defaultNow().notNull(),
  updatedAt: timestamp("updated_at").$onUpdate(() => new Date()),
  deletedAt: timestamp("deleted_at"),
};
export const originalUser = pgTable("user", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  email: text("email").notNull().unique(),
  emailVerified: boolean("email_verified").default(false).notNull(),
  image: text("image"),
  ...timestamps,
});
export const originalSession = pgTable("session", {
  id: text("id").primaryKey(),
  expiresAt: timestamp("expires_at").notNull(),
  token: text("token").notNull().unique(),
  ipAddress: text("ip_address"),
  userAgent: text("user_agent"),
  userId: text("user_id")
    .notNull()
    .references(() => originalUser.id, { onDelete: "cascade" }),
  ...timestamps,
});
export const originalAccount = pgTable("account", {
  id: text("id").primaryKey(),
  accountId: text("account_id").notNull(),
  providerId: text("provider_id").notNull(),
  userId: text("user_id")
    .notNull()
    .references(() => originalUser.id, { onDelete: "cascade" }),
  accessToken: text("access_token"),
  refreshToken: text("refresh_token"),
  idToken: text("id_token"),
  accessTokenExpiresAt: timestamp("access_token_expires_at"),
  refreshTokenExpiresAt: timestamp("refresh_token_expires_at"),
  scope: text("scope"),
  password: text("password"),
  ...timestamps,
});
export const originalVerification = pgTable("verification", {
  id: text("id").primaryKey(),
  identifier: text("identifier").notNull(),
  value: text("value").notNull(),
  expiresAt: timestamp("expires_at").notNull(),
  ...timestamps,
});
export const originalRateLimit = pgTable("rate_limit", {
  id: uuid("id").primaryKey().defaultRandom(),
  key: text("key").notNull().unique(),
  count: integer("count").default(0).notNull(),
  lastRequest: bigint("last_request", { mode: "number" }).notNull(),
});

/** The original tables keyed by Better Auth model name, with no relations (as the original app had them). */
export const seedTables = {
  user: originalUser,
  session: originalSession,
  account: originalAccount,
  verification: originalVerification,
  rateLimit: originalRateLimit,
};

const at = (iso: string) => new Date(iso);

/** Rows written through the original app's tables, as its code would; returned to compare with later. */
export async function fillOriginalDatabase(db: AnyPgDatabase, withRateLimit: boolean) {
  const users = [
    {
      id: "u1",
      name: "Ada",
      email: "ada@example.com",
      emailVerified: true,
      image: null,
      createdAt: at("2025-01-02T03:04:05.678Z"),
      updatedAt: at("2025-06-01T10:00:00.001Z"),
      deletedAt: null,
    },
    {
      id: "u2",
      name: "Brendan",
      email: "brendan@example.com",
      emailVerified: false,
      image: "https://example.com/b.png",
      createdAt: at("2025-03-04T23:59:59.999Z"),
      updatedAt: null,
      deletedAt: at("2025-12-31T23:00:00.000Z"),
    },
  ];
  const sessions = [
    {
      id: "s1",
      expiresAt: at("2026-01-01T00:00:00.000Z"),
      token: "tok-1",
      ipAddress: "203.0.113.7",
      userAgent: "curl/8",
      userId: "u1",
      createdAt: at("2025-06-01T09:00:00.123Z"),
      updatedAt: null,
      deletedAt: null,
    },
    {
      id: "s2",
      expiresAt: at("2026-02-01T12:30:00.000Z"),
      token: "tok-2",
      ipAddress: null,
      userAgent: null,
      userId: "u2",
      createdAt: at("2025-06-02T09:00:00.000Z"),
      updatedAt: at("2025-06-02T09:05:00.000Z"),
      deletedAt: null,
    },
  ];
  const accounts = [
    {
      id: "a1",
      accountId: "u1",
      providerId: "credential",
      userId: "u1",
      accessToken: null,
      refreshToken: null,
      idToken: null,
      accessTokenExpiresAt: null,
      refreshTokenExpiresAt: null,
      scope: null,
      password: "scrypt:abcdef",
      createdAt: at("2025-01-02T03:04:05.678Z"),
      updatedAt: null,
      deletedAt: null,
    },
    {
      id: "a2",
      accountId: "gh-42",
      providerId: "github",
      userId: "u2",
      accessToken: "gho_x",
      refreshToken: "ghr_y",
      idToken: "eyJ",
      accessTokenExpiresAt: at("2025-07-01T00:00:00.500Z"),
      refreshTokenExpiresAt: at("2025-12-01T00:00:00.000Z"),
      scope: "read:user",
      password: null,
      createdAt: at("2025-03-04T23:59:59.999Z"),
      updatedAt: at("2025-04-01T01:02:03.004Z"),
      deletedAt: null,
    },
  ];
  const verifications = [
    {
      id: "v1",
      identifier: "ada@example.com",
      value: "123456",
      expiresAt: at("2025-06-01T10:15:00.000Z"),
      createdAt: at("2025-06-01T10:00:00.000Z"),
      updatedAt: null,
      deletedAt: null,
    },
  ];
  const rateLimits = withRateLimit
    ? [
        {
          id: "0b7e3f0e-8a4c-4c1e-9d55-3f1a2b4c5d6e",
          key: "203.0.113.7:/sign-in",
          count: 3,
          lastRequest: 1_767_225_600_123,
        },
        {
          id: "5f2d9c1a-1b2c-4d3e-8f40-a1b2c3d4e5f6",
          key: "198.51.100.1:/sign-up",
          count: 0,
          lastRequest: 1_767_225_000_000,
        },
      ]
    : [];
  await db.insert(originalUser).values(users);
  await db.insert(originalSession).values(sessions);
  await db.insert(originalAccount).values(accounts);
  await db.insert(originalVerification).values(verifications);
  if (withRateLimit) await db.insert(originalRateLimit).values(rateLimits);
  // One row relying on the original column default (`now()` of a session in UTC, as drizzle-kit's app ran).
  await db.execute(sql`insert into "user" (id, name, email) values ('u3', 'Default', 'default@example.com')`);
  return { users, sessions, accounts, verifications, rateLimits };
}
