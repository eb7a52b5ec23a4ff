/**
 * The recipe "Hono + Better Auth + hono-rate-limiter" (docs/recipes.md, README): one Hono app with Better Auth's
 * handler and an API limited by hono-rate-limiter, both counting in the host's `rate_limit` table. The docs show
 * the regions below verbatim (test/docs/docs.test.ts compares them); test/recipes/hono.test.ts serves the app over
 * HTTP.
 */
// #region app
import type { AnyPgDatabase } from "@be-monorepo/db";
import { DbStore, DbStoreError } from "@be-monorepo/db/rate-limit";
import { authSchema } from "@be-monorepo/db/schema";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { Hono } from "hono";
import { rateLimiter } from "hono-rate-limiter";

export function createApp(db: AnyPgDatabase, limit = 100) {
  const auth = betterAuth({
    secret: process.env.BETTER_AUTH_SECRET,
    baseURL: process.env.BETTER_AUTH_URL,
    database: drizzleAdapter(db, { provider: "pg", schema: authSchema }),
    emailAndPassword: { enabled: true },
    rateLimit: { enabled: true, storage: "database" }, // Better Auth's own limiter, same rate_limit table
  });

  const app = new Hono();
  // Better Auth first: its routes answer (with its own limiter) before the API limiter below.
  app.on(["GET", "POST"], "/api/auth/*", (c) => auth.handler(c.req.raw));
  // #region limiter
  app.use(
    "/api/*",
    rateLimiter({
      windowMs: 60_000, // milliseconds
      limit,
      standardHeaders: "draft-6", // RateLimit-Policy, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset
      keyGenerator: (c) => c.req.header("x-forwarded-for") ?? "unknown", // the client IP your proxy sets
      store: new DbStore({ db, prefix: "api:" }),
    }),
  );
  // #endregion limiter
  app.get("/api/hello", (c) => c.json({ hello: "world" }));
  // #region on-error
  // hono-rate-limiter lets store errors reach onError: this app fails closed with a 503.
  app.onError((error, c) =>
    error instanceof DbStoreError
      ? c.json({ error: "rate limiter unavailable" }, 503)
      : c.json({ error: "internal error" }, 500),
  );
  // #endregion on-error
  return app;
}
// #endregion app
