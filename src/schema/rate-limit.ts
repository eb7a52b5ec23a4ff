import { pgTable } from "drizzle-orm/pg-core";
import { rateLimitColumns, rateLimitIndexes } from "./models.js";

/**
 * `rate_limit`: one counter per key. Shared by Better Auth's database rate limiter (model `rateLimit`) and
 * this package's `DbStore`.
 *
 * - `key`: unique, stored verbatim.
 * - `count`: hits in the current window (`integer`, so at most 2^31 − 1).
 * - `last_request`: Unix time in milliseconds (`bigint`, read as a JavaScript number, so at most 2^53 − 1).
 *   Better Auth writes the time of the key's last request. `DbStore` writes the end of the key's current window
 *   (its `resetTime`), so that Better Auth's clean-up, which deletes rows whose `lastRequest` is older than its
 *   longest window, never removes a `DbStore` row whose window is still running.
 * - `window_start`: Unix time in milliseconds (database clock) at which the key's current `DbStore` window
 *   started; `NULL` on Better Auth's rows, which is how `DbStore.resetAll()` and `prune()` tell them apart.
 *   Added by migration `0003`; nullable so that Better Auth, which inserts `key`, `count` and `lastRequest`
 *   only, keeps working.
 * - `previous_count`: hits of the window before the current one, for `DbStore`'s `"sliding-window"` algorithm;
 *   `NULL` otherwise. Added by migration `0004`.
 * - `blocked_until`: Unix time in milliseconds (database clock) until which a `"sliding-window"` key stays
 *   blocked after it went over its limit (`blockDurationMs`); `NULL` otherwise. Added by migration `0004`.
 */
export const rateLimitTable = pgTable("rate_limit", rateLimitColumns(), (table) =>
  rateLimitIndexes("rate_limit", table),
);
