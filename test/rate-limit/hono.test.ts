/**
 * End to end, and the README recipe "Hono + Better Auth + hono-rate-limiter": one Hono app served over HTTP by
 * @hono/node-server, with Better Auth's handler and a hono-rate-limiter whose store is DbStore, both on the
 * same drizzle database.
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { drizzle } from "drizzle-orm/node-postgres";
import { Hono } from "hono";
import { rateLimiter } from "hono-rate-limiter";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/migrate/index.js";
import { DbStore, DbStoreError } from "../../src/rate-limit/index.js";
import { authSchema } from "../../src/schema/index.js";
import type { AnyPgDatabase } from "../../src/shared/database.js";
import { createTestDatabase, serverUrl, type TestDatabase } from "../support/database.js";
import { expectThreeThen429 } from "./http.js";

// --- recipe start ---
function createApp(db: AnyPgDatabase) {
  const auth = betterAuth({
    baseURL: "http://localhost:3000",
    secret: process.env.BETTER_AUTH_SECRET ?? "a-test-secret-that-is-long-enough-0123456789",
    database: drizzleAdapter(db, { provider: "pg", schema: authSchema }),
    emailAndPassword: { enabled: true },
    rateLimit: { enabled: true, storage: "database" }, // Better Auth's own limiter, same rate_limit table
  });

  const app = new Hono();
  // Better Auth first: its routes answer before the API limiter below.
  app.on(["GET", "POST"], "/api/auth/*", (c) => auth.handler(c.req.raw));
  app.use(
    "/api/*",
    rateLimiter({
      windowMs: 60_000, // one minute, in milliseconds
      limit: 3,
      standardHeaders: "draft-6", // RateLimit-Policy, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset
      keyGenerator: (c) => c.req.header("x-forwarded-for") ?? "unknown", // behind your proxy: the client's IP
      store: new DbStore({ db, prefix: "api:" }),
    }),
  );
  app.get("/api/hello", (c) => c.json({ hello: "world" }));
  // hono-rate-limiter lets a store failure through: the database is down, answer 503 (or let it pass).
  app.onError((error, c) => {
    if (error instanceof DbStoreError) return c.json({ error: "rate limiter unavailable" }, 503);
    return c.json({ error: "internal error" }, 500);
  });
  return app;
}
// --- recipe end ---

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("rate_limit_hono");
  await migrate(t.db);
});
afterAll(() => t.close());

async function listen(app: Hono) {
  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("Hono + Better Auth + hono-rate-limiter with DbStore, over HTTP", () => {
  it("answers 200 for the first `limit` requests, then 429, with RateLimit-* headers", async () => {
    const server = await listen(createApp(t.db));
    try {
      const get = (ip: string) => fetch(`${server.url}/api/hello`, { headers: { "x-forwarded-for": ip } });
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await get("198.51.100.1"));
      await expectThreeThen429(answers);
      // Another client has its own count.
      expect((await get("198.51.100.2")).status).toBe(200);
      // Better Auth on the same app and database.
      const ok = await fetch(`${server.url}/api/auth/ok`, { headers: { "x-forwarded-for": "198.51.100.1" } });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ ok: true });
    } finally {
      await server.close();
    }
  });

  it.runIf(serverUrl)(
    "a database failure reaches the app's onError (503 here), never a made-up count (needs a PostgreSQL server: a pg.Pool of its own)",
    async () => {
      const pool = new pg.Pool({ connectionString: t.url, max: 2 });
      const db = drizzle(pool);
      const server = await listen(createApp(db));
      try {
        expect((await fetch(`${server.url}/api/hello`)).status).toBe(200);
        await pool.end();
        const failed = await fetch(`${server.url}/api/hello`);
        expect(failed.status).toBe(503);
        expect(await failed.json()).toEqual({ error: "rate limiter unavailable" });
      } finally {
        await server.close();
      }
    },
  );
});
