import { relations } from "drizzle-orm";
import { boolean, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { timestamps } from "./columns.js";
import { textId } from "./ids.js";

const instant = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** `user`: one row per person. Better Auth model `user`. `email` is unique. */
export const userTable = pgTable("user", {
  id: textId(),
  name: text("name").notNull(),
  email: text("email").notNull().unique(),
  emailVerified: boolean("email_verified").default(false).notNull(),
  image: text("image"),
  ...timestamps,
});

/**
 * `session`: one row per signed-in session. Better Auth model `session`. `token` is unique; deleting the
 * user deletes their sessions (`ON DELETE CASCADE`). `user_id` is indexed, since Better Auth lists and
 * revokes sessions by user.
 */
export const sessionTable = pgTable(
  "session",
  {
    id: textId(),
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

/**
 * `account`: a user's credential with one provider (an OAuth account, or `providerId = 'credential'` with a
 * password hash). Better Auth model `account`. Cascades from `user`; `user_id` is indexed.
 */
export const accountTable = pgTable(
  "account",
  {
    id: textId(),
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

/**
 * `verification`: short-lived tokens (email verification, password reset, magic links). Better Auth model
 * `verification`. `identifier` is indexed, since Better Auth looks tokens up by it.
 */
export const verificationTable = pgTable(
  "verification",
  {
    id: textId(),
    identifier: text("identifier").notNull(),
    value: text("value").notNull(),
    expiresAt: instant("expires_at").notNull(),
    ...timestamps,
  },
  (table) => [index("verification_identifier_idx").on(table.identifier)],
);

/** A user has many sessions and many accounts. Keys follow Better Auth's join names (`sessions`, `accounts`). */
export const userRelations = relations(userTable, ({ many }) => ({
  sessions: many(sessionTable),
  accounts: many(accountTable),
}));

/** A session belongs to one user. */
export const sessionRelations = relations(sessionTable, ({ one }) => ({
  user: one(userTable, { fields: [sessionTable.userId], references: [userTable.id] }),
}));

/** An account belongs to one user. */
export const accountRelations = relations(accountTable, ({ one }) => ({
  user: one(userTable, { fields: [accountTable.userId], references: [userTable.id] }),
}));
