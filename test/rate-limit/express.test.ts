/**
 * End to end, and the README recipe "Express + express-rate-limit": an Express 5 app whose express-rate-limit
 * middleware counts in DbStore, served over HTTP.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { drizzle } from "drizzle-orm/node-postgres";
import express, { type NextFunction, type Request, type Response } from "express";
import { rateLimit } from "express-rate-limit";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/migrate/index.js";
import { DbStore } from "../../src/rate-limit/index.js";
import type { AnyPgDatabase } from "../../src/shared/database.js";
import { createTestDatabase, serverUrl, type TestDatabase } from "../support/database.js";
import { expectThreeThen429 } from "./http.js";

const logged: unknown[] = [];

// --- recipe start ---
function createApp(db: AnyPgDatabase, { passOnStoreError = false, prefix = "express:" } = {}) {
  const app = express();
  app.use(
    "/api",
    rateLimit({
      windowMs: 60_000, // one minute, in milliseconds
      limit: 3,
      standardHeaders: "draft-6", // RateLimit-Policy, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset
      legacyHeaders: false,
      store: new DbStore({ db, prefix }),
      // false (the default): a database failure goes to Express's error handler (next(error)).
      // true: the request is let through without counting, and the error is logged.
      passOnStoreError,
      logger: { error: (error) => logged.push(error), warn: () => {} },
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
// --- recipe end ---

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("rate_limit_express");
  await migrate(t.db);
});
afterAll(() => t.close());

async function listen(app: express.Express) {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("Express + express-rate-limit with DbStore, over HTTP", () => {
  it("answers 200 for the first `limit` requests, then 429, with RateLimit-* headers", async () => {
    const server = await listen(createApp(t.db));
    try {
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await fetch(`${server.url}/api/hello`));
      await expectThreeThen429(answers);
    } finally {
      await server.close();
    }
  });

  it.runIf(serverUrl)(
    "a database failure goes to the error handler, or passes the request with passOnStoreError (needs a PostgreSQL server: a pg.Pool of its own)",
    async () => {
      const pool = new pg.Pool({ connectionString: t.url, max: 2 });
      const db = drizzle(pool);
      const strict = await listen(createApp(db, { prefix: "strict:" }));
      const lenient = await listen(createApp(db, { passOnStoreError: true, prefix: "lenient:" }));
      try {
        expect((await fetch(`${strict.url}/api/hello`)).status).toBe(200);
        await pool.end();
        const failed = await fetch(`${strict.url}/api/hello`);
        expect(failed.status).toBe(503);
        expect(await failed.json()).toEqual({ error: "rate limiter unavailable: DbStoreError" });
        logged.length = 0;
        const passed = await fetch(`${lenient.url}/api/hello`);
        expect(passed.status).toBe(200);
        expect((logged[0] as Error).name).toBe("DbStoreError");
      } finally {
        await strict.close();
        await lenient.close();
      }
    },
  );
});
