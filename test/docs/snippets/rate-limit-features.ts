// DOCS-h-rl-features.md, DbStore's Better Auth storage, lockout and algorithms. Type-checked by `tsc --noEmit`.
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import type { NodePgDatabase } from "drizzle-orm/node-postgres";
import { DbStore } from "../../../src/rate-limit/index.js";
import { authSchema } from "../../../src/schema/index.js";

declare const db: NodePgDatabase<typeof authSchema>;

// #region better-auth
const auth = betterAuth({
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

export { auth, bursty, loginStore, smooth };
