// docs/rate-limit.md, DbStore's Better Auth storage, lockout and algorithms. Type-checked by `tsc --noEmit`.
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import type { NodePgDatabase } from "drizzle-orm/node-postgres";
import { DbStore } from "../../../src/rate-limit/index.js";
import { authSchema } from "../../../src/schema/index.js";

declare const db: NodePgDatabase<typeof authSchema>;

// #region better-auth
const auth = betterAuth({
  secret: process.env.BETTER_AUTH_SECRET,
  baseURL: process.env.BETTER_AUTH_URL,
  database: drizzleAdapter(db, { provider: "pg", schema: authSchema }),
  emailAndPassword: { enabled: true },
  rateLimit: {
    enabled: true, // Better Auth enables it in production only by default
    window: 60, // seconds
    max: 100,
    // One statement per request on the database clock, counted in the `rate_limit` table.
    customStorage: new DbStore({ db, prefix: "ba:" }),
  },
});

// #endregion better-auth

// #region lockout
const loginStore = new DbStore({ db, prefix: "login:", blockDurationMs: 15 * 60_000 }); // 15 min once over

// #endregion lockout

// #region algorithms
const smooth = new DbStore({ db, prefix: "api:", algorithm: "sliding-window" });
const bursty = new DbStore({ db, prefix: "upload:", algorithm: "token-bucket" });

// #endregion algorithms

// #region outage
// While PostgreSQL is unreachable, count in this process's memory instead of failing every request.
const resilient = new DbStore({ db, prefix: "api:", onDatabaseError: "memory" });

// #endregion outage

export { auth, bursty, loginStore, resilient, smooth };
