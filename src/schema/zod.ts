/**
 * Zod schemas for every table, built by drizzle-zod from the `pgTable` definitions.
 *
 * This is the only module that imports `drizzle-zod`, so moving to drizzle's own `drizzle-orm/zod` later is
 * a one-file change.
 *
 * - `select…Schema` validates a row as read back (every column present, nullable columns may be `null`).
 * - `insert…Schema` validates a row to insert (columns with a database default, and nullable ones, optional).
 * - `update…Schema` validates a partial row for `update().set()` (every column optional).
 *
 * Numbers are range-checked as PostgreSQL stores them: `integer` columns within int32, `bigint` columns read in
 * number mode within ±(2^53 − 1) (`Number.MAX_SAFE_INTEGER`).
 */
import { createInsertSchema, createSelectSchema, createUpdateSchema } from "drizzle-zod";
import type { z } from "zod";
import { accountTable, sessionTable, userTable, verificationTable } from "./auth.js";
import { rateLimitTable } from "./rate-limit.js";

export const selectUserTableSchema = createSelectSchema(userTable);
export const insertUserTableSchema = createInsertSchema(userTable);
export const updateUserTableSchema = createUpdateSchema(userTable);
/** A `user` row as read back. */
export type UserTable = z.infer<typeof selectUserTableSchema>;
/** A `user` row to insert. */
export type InsertUserTable = z.infer<typeof insertUserTableSchema>;

export const selectSessionTableSchema = createSelectSchema(sessionTable);
export const insertSessionTableSchema = createInsertSchema(sessionTable);
export const updateSessionTableSchema = createUpdateSchema(sessionTable);
/** A `session` row as read back. */
export type SessionTable = z.infer<typeof selectSessionTableSchema>;
/** A `session` row to insert. */
export type InsertSessionTable = z.infer<typeof insertSessionTableSchema>;

export const selectAccountTableSchema = createSelectSchema(accountTable);
export const insertAccountTableSchema = createInsertSchema(accountTable);
export const updateAccountTableSchema = createUpdateSchema(accountTable);
/** An `account` row as read back. */
export type AccountTable = z.infer<typeof selectAccountTableSchema>;
/** An `account` row to insert. */
export type InsertAccountTable = z.infer<typeof insertAccountTableSchema>;

export const selectVerificationTableSchema = createSelectSchema(verificationTable);
export const insertVerificationTableSchema = createInsertSchema(verificationTable);
export const updateVerificationTableSchema = createUpdateSchema(verificationTable);
/** A `verification` row as read back. */
export type VerificationTable = z.infer<typeof selectVerificationTableSchema>;
/** A `verification` row to insert. */
export type InsertVerificationTable = z.infer<typeof insertVerificationTableSchema>;

export const selectRateLimitTableSchema = createSelectSchema(rateLimitTable);
export const insertRateLimitTableSchema = createInsertSchema(rateLimitTable);
export const updateRateLimitTableSchema = createUpdateSchema(rateLimitTable);
/** A `rate_limit` row as read back. */
export type RateLimitTable = z.infer<typeof selectRateLimitTableSchema>;
/** A `rate_limit` row to insert. */
export type InsertRateLimitTable = z.infer<typeof insertRateLimitTableSchema>;
