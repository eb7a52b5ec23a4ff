/**
 * The original app's tables, for tests that show what the package fixes.
 *
 * - `migrateOriginal(db)`: applies only the shipped migrations 0000 and 0001 (the original app's own two
 *   drizzle-kit steps) through `migrate()`, from a temporary folder holding just those two files and a journal
 *   with just their entries. A later full `migrate(db)` then upgrades the same database, as it would a host's.
 * - `seedTables`: the seed document's table definitions, verbatim (`timestamp()` without time zone, `uuid` id on
 *   `rate_limit`, no relations), for a drizzle instance made with `casing: 'snake_case'` as the original app did.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bigint, boolean, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { migrate, migrationsFolder } from "../../src/migrate/index.js";
import type { AnyPgDatabase } from "../../src/shared/database.js";

const ORIGINAL_TAGS = ["0000_auth_tables", "0001_rate_limit"];

/** A temporary migrations folder with only the original app's two migrations. */
export function originalMigrationsFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), "be-db-original-"));
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

const timestamps = {
  createdAt: timestamp().defaultNow().notNull(),
  updatedAt: timestamp().$onUpdate(() => new Date()),
  deletedAt: timestamp(),
};

const user = pgTable("user", {
  id: text().primaryKey(),
  name: text().notNull(),
  email: text().notNull().unique(),
  emailVerified: boolean().default(false).notNull(),
  image: text(),
  ...timestamps,
});

const session = pgTable("session", {
  id: text().primaryKey(),
  expiresAt: timestamp().notNull(),
  token: text().notNull().unique(),
  ipAddress: text(),
  userAgent: text(),
  userId: text()
    .notNull()
    .references(() => user.id, { onDelete: "cascade" }),
  ...timestamps,
});

const account = pgTable("account", {
  id: text().primaryKey(),
  accountId: text().notNull(),
  providerId: text().notNull(),
  userId: text()
    .notNull()
    .references(() => user.id, { onDelete: "cascade" }),
  accessToken: text(),
  refreshToken: text(),
  idToken: text(),
  accessTokenExpiresAt: timestamp(),
  refreshTokenExpiresAt: timestamp(),
  scope: text(),
  password: text(),
  ...timestamps,
});

const verification = pgTable("verification", {
  id: text().primaryKey(),
  identifier: text().notNull(),
  value: text().notNull(),
  expiresAt: timestamp().notNull(),
  ...timestamps,
});

const rateLimit = pgTable("rate_limit", {
  id: uuid("id").defaultRandom().primaryKey(),
  key: text("key").notNull().unique(),
  count: integer("count").default(0).notNull(),
  lastRequest: bigint("last_request", { mode: "number" }).notNull(),
});

/** The seed's tables keyed by Better Auth model name, with no relations (as the original app had them). */
export const seedTables = { user, session, account, verification, rateLimit };
