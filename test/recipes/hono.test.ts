/**
 * The recipe "Hono + Better Auth + hono-rate-limiter" (test/recipes/apps/hono.ts, shown in the README and
 * docs/recipes.md) served over HTTP by @hono/node-server on the test database.
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { drizzle } from "drizzle-orm/node-postgres";
import type { Hono } from "hono";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase, serverUrl, type TestDatabase } from "../support/database.js";
import { expectThreeThen429 } from "../support/http.js";
import { createApp } from "./apps/hono.js";

let t: TestDatabase;
beforeAll(async () => {
  // What the recipe reads from the environment, as a deployment sets it.
  vi.stubEnv("BETTER_AUTH_SECRET", "a-test-secret-that-is-long-enough-0123456789");
  vi.stubEnv("BETTER_AUTH_URL", "http://localhost:3000");
  t = await createTestDatabase("recipe_hono", { migrated: true });
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await t.close();
});

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
    const server = await listen(createApp(t.db, 3));
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
      const server = await listen(createApp(db, 3));
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
