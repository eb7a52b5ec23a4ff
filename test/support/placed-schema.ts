import { PGlite } from "@electric-sql/pglite";
import { relations, sql } from "drizzle-orm";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { bigint, boolean, index, integer, pgSchema, text, timestamp } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { timestamps } from "../../src/schema/index.js";
import type { AnyPgDatabase } from "../../src/shared/database.js";
import { adminQuery, closablePool, createServerDatabase, serverUrl } from "./database.js";

/**
 * The package's core tables in the PostgreSQL schema `name` (drizzle's `pgSchema(name).table`), the same columns,
 * keys and indexes as `src/schema`, with relations and `authSchema` keyed by Better Auth's model names.
 *
 * A stand-in for `defineAuthSchema({ pgSchema })` (issue 10) until it is on main: the placement tests only need
 * tables drizzle qualifies with the schema, which is all this is.
 */
export function authTablesIn(name: string) {
  const schema = pgSchema(name);
  const id = () => text("id").primaryKey().default(sql`gen_random_uuid()::text`);
  const instant = (column: string) => timestamp(column, { withTimezone: true, mode: "date" });
  const userTable = schema.table("user", {
    id: id(),
    name: text("name").notNull(),
    email: text("email").notNull().unique(),
    emailVerified: boolean("email_verified").default(false).notNull(),
    image: text("image"),
    ...timestamps,
  });
  const sessionTable = schema.table(
    "session",
    {
      id: id(),
      expiresAt: instant("expires_at").notNull(),
      token: text("token").notNull().unique(),
      ipAddress: text("ip_address"),
      userAgent: text("user_agent"),
      userId: text("user_id")
        .notNull()
        .references(() => userTable.id, { onDelete: "cascade" }),
      ...timestamps,
    },
    (table) => [index("session_user_id_idx").on(table.userId)],
  );
  const accountTable = schema.table(
    "account",
    {
      id: id(),
      accountId: text("account_id").notNull(),
      providerId: text("provider_id").notNull(),
      userId: text("user_id")
        .notNull()
        .references(() => userTable.id, { onDelete: "cascade" }),
      accessToken: text("access_token"),
      refreshToken: text("refresh_token"),
      idToken: text("id_token"),
      accessTokenExpiresAt: instant("access_token_expires_at"),
      refreshTokenExpiresAt: instant("refresh_token_expires_at"),
      scope: text("scope"),
      password: text("password"),
      ...timestamps,
    },
    (table) => [index("account_user_id_idx").on(table.userId)],
  );
  const verificationTable = schema.table(
    "verification",
    {
      id: id(),
      identifier: text("identifier").notNull(),
      value: text("value").notNull(),
      expiresAt: instant("expires_at").notNull(),
      ...timestamps,
    },
    (table) => [index("verification_identifier_idx").on(table.identifier)],
  );
  const rateLimitTable = schema.table(
    "rate_limit",
    {
      id: id(),
      key: text("key").notNull().unique(),
      count: integer("count").default(0).notNull(),
      lastRequest: bigint("last_request", { mode: "number" }).notNull(),
      windowStart: bigint("window_start", { mode: "number" }),
    },
    (table) => [index("rate_limit_last_request_idx").on(table.lastRequest)],
  );
  const userRelations = relations(userTable, ({ many }) => ({
    sessions: many(sessionTable),
    accounts: many(accountTable),
  }));
  const sessionRelations = relations(sessionTable, ({ one }) => ({
    user: one(userTable, { fields: [sessionTable.userId], references: [userTable.id] }),
  }));
  const accountRelations = relations(accountTable, ({ one }) => ({
    user: one(userTable, { fields: [accountTable.userId], references: [userTable.id] }),
  }));
  const authSchema = {
    user: userTable,
    session: sessionTable,
    account: accountTable,
    verification: verificationTable,
    rateLimit: rateLimitTable,
    userRelations,
    sessionRelations,
    accountRelations,
  };
  return { userTable, sessionTable, accountTable, verificationTable, rateLimitTable, authSchema };
}

/** A fresh database whose every session has `search_path` set to `searchPath` (schema `other` exists). */
export interface PlacedDatabase {
  db: AnyPgDatabase;
  kind: "postgres" | "pglite";
  url: string | undefined;
  close(): Promise<void>;
}

/**
 * A fresh database (on the server when there is one, else a new PGlite) where every session starts with
 * `search_path = searchPath`: libpq's `options=-c search_path=…` on the server, `SET search_path` on PGlite's one
 * session. An empty schema `other` is there to point it at.
 */
export async function databaseWithSearchPath(label: string, searchPath: string): Promise<PlacedDatabase> {
  if (serverUrl) {
    const database = await createServerDatabase(label);
    await adminQuery("create schema other", database.url);
    const { pool, end } = closablePool({
      connectionString: database.url,
      max: 5,
      options: `-c search_path=${searchPath.replaceAll(" ", "\\ ")}`,
    });
    return {
      db: drizzlePg(pool),
      kind: "postgres",
      url: database.url,
      close: async () => {
        await end();
        await database.drop();
      },
    };
  }
  const client = new PGlite();
  await client.exec(`create schema other; set search_path to ${searchPath}`);
  return { db: drizzlePglite(client), kind: "pglite", url: undefined, close: () => client.close() };
}
