import { bigint, integer, pgTable, text } from "drizzle-orm/pg-core";
import { textId } from "./ids.js";

/**
 * `rate_limit`: one counter per key. Shared by Better Auth's database rate limiter (model `rateLimit`) and
 * this package's `DbStore`.
 *
 * - `key`: unique, stored verbatim.
 * - `count`: hits in the current window (`integer`, so at most 2^31 − 1).
 * - `last_request`: Unix time in milliseconds (`bigint`, read as a JavaScript number, so at most 2^53 − 1).
 */
export const rateLimitTable = pgTable("rate_limit", {
  id: textId(),
  key: text("key").notNull().unique(),
  count: integer("count").default(0).notNull(),
  lastRequest: bigint("last_request", { mode: "number" }).notNull(),
});
