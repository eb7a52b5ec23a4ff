import { timestamp } from "drizzle-orm/pg-core";

/**
 * The three lifecycle columns shared by the auth tables, spread into a `pgTable` definition.
 *
 * - `createdAt` → `created_at timestamptz NOT NULL DEFAULT now()`: set by the database on insert.
 * - `updatedAt` → `updated_at timestamptz` (nullable): drizzle's `$onUpdate` sets it to `new Date()` (the app's
 *   clock) on every `insert()` and `update()` issued through drizzle that does not set it; Better Auth also writes
 *   it itself. Rows written by plain SQL leave it `NULL` unless they set it.
 * - `deletedAt` → `deleted_at timestamptz` (nullable): `NULL` while the row is live, the instant of its soft
 *   deletion otherwise.
 *
 * All three are `timestamp with time zone` read and written as JavaScript `Date`s, so they hold the instant
 * meant whatever the `TimeZone` of the database session or of the Node process. (A `timestamp` without time
 * zone filled by `now()` stores the session's wall-clock time, which drizzle then reads back as UTC.)
 */
export const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).defaultNow().notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).$onUpdate(() => new Date()),
  deletedAt: timestamp("deleted_at", { withTimezone: true, mode: "date" }),
};
