import { relations } from "drizzle-orm";
import { pgTable } from "drizzle-orm/pg-core";
import {
  accountColumns,
  accountIndexes,
  sessionColumns,
  sessionIndexes,
  userColumns,
  verificationColumns,
  verificationIndexes,
} from "./models.js";

// The columns and indexes come from ./models.ts, which `defineAuthSchema()` builds its tables from too: one
// definition of the core tables, whatever the plugins.

/** `user`: one row per person. Better Auth model `user`. `email` is unique. */
export const userTable = pgTable("user", userColumns());

/**
 * `session`: one row per signed-in session. Better Auth model `session`. `token` is unique; deleting the
 * user deletes their sessions (`ON DELETE CASCADE`). `user_id` is indexed, since Better Auth lists and
 * revokes sessions by user.
 */
export const sessionTable = pgTable(
  "session",
  sessionColumns(() => userTable.id),
  (table) => sessionIndexes("session", table),
);

/**
 * `account`: a user's credential with one provider (an OAuth account, or `providerId = 'credential'` with a
 * password hash). Better Auth model `account`. Cascades from `user`; `user_id` is indexed.
 */
export const accountTable = pgTable(
  "account",
  accountColumns(() => userTable.id),
  (table) => accountIndexes("account", table),
);

/**
 * `verification`: short-lived tokens (email verification, password reset, magic links). Better Auth model
 * `verification`. `identifier` is indexed, since Better Auth looks tokens up by it.
 */
export const verificationTable = pgTable("verification", verificationColumns(), (table) =>
  verificationIndexes("verification", table),
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
