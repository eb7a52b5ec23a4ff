/**
 * The recipe "Express + express-rate-limit" (test/recipes/apps/express.ts, shown in docs/recipes.md) served over
 * HTTP on the test database.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { drizzle } from "drizzle-orm/node-postgres";
import type express from "express";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase, serverUrl, type TestDatabase } from "../support/database.js";
import { expectThreeThen429 } from "../support/http.js";
import { createApp } from "./apps/express.js";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("recipe_express", { migrated: true });
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
    const server = await listen(createApp(t.db, { limit: 3 }));
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
      const strict = await listen(createApp(db, { limit: 3, prefix: "strict:" }));
      const lenient = await listen(createApp(db, { limit: 3, passOnStoreError: true, prefix: "lenient:" }));
      // express-rate-limit's default logger is the console: passOnStoreError logs the error there.
      const logged = vi.spyOn(console, "error").mockImplementation(() => {});
      try {
        expect((await fetch(`${strict.url}/api/hello`)).status).toBe(200);
        await pool.end();
        const failed = await fetch(`${strict.url}/api/hello`);
        expect(failed.status).toBe(503);
        expect(await failed.json()).toEqual({ error: "rate limiter unavailable: DbStoreError" });
        logged.mockClear();
        const passed = await fetch(`${lenient.url}/api/hello`);
        expect(passed.status).toBe(200);
        expect(logged.mock.calls.flat().some((arg) => (arg as Error)?.name === "DbStoreError")).toBe(true);
      } finally {
        logged.mockRestore();
        await strict.close();
        await lenient.close();
      }
    },
  );
});
