/**
 * The recipe "Express + express-rate-limit" (docs/recipes.md): an Express 5 app whose express-rate-limit counts in
 * DbStore. The docs show the region below verbatim (test/docs/docs.test.ts compares it);
 * test/recipes/express.test.ts serves the app over HTTP.
 */
// #region app
import type { AnyPgDatabase } from "@be-monorepo/db";
import { DbStore } from "@be-monorepo/db/rate-limit";
import express, { type NextFunction, type Request, type Response } from "express";
import { rateLimit } from "express-rate-limit";

export function createApp(db: AnyPgDatabase, { limit = 100, passOnStoreError = false, prefix = "api:" } = {}) {
  const app = express();
  app.use(
    "/api",
    rateLimit({
      windowMs: 60_000, // milliseconds
      limit,
      standardHeaders: "draft-6", // RateLimit-Policy, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset
      legacyHeaders: false,
      store: new DbStore({ db, prefix }),
      // false (the default): a DbStoreError goes to the error handler below.
      // true: the request is let through uncounted, and the error goes to express-rate-limit's logger.
      passOnStoreError,
    }),
  );
  app.get("/api/hello", (_req, res) => {
    res.json({ hello: "world" });
  });
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(503).json({ error: `rate limiter unavailable: ${error.name}` });
  });
  return app;
}
// #endregion app
