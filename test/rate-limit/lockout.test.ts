/**
 * `blockDurationMs`: once a key goes over its limit it stays over it for the block, through `increment` (both
 * middlewares, over HTTP) and `consume`. Short windows and blocks with real waits; every wait is measured on the
 * database clock plus an explicit margin.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import express from "express";
import { rateLimit } from "express-rate-limit";
import { Hono } from "hono";
import { rateLimiter } from "hono-rate-limiter";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/migrate/index.js";
import { DbStore } from "../../src/rate-limit/index.js";
import { rowsOf } from "../../src/shared/rows.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("rate_limit_lockout");
  await migrate(t.db);
});
afterAll(() => t.close());

const MARGIN = 100;
const WINDOW = 1000;
const BLOCK = 2500;

/** The database clock now, in Unix milliseconds. */
const dbNow = async () =>
  Number(
    rowsOf(await t.db.execute(sql`select (floor(extract(epoch from clock_timestamp()) * 1000))::bigint as now`))[0]
      ?.now,
  );
/** Waits until the database clock is `MARGIN` past `at` (Unix ms). */
const waitUntil = async (at: number) => {
  const wait = at + MARGIN - (await dbNow());
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
};

describe("DbStore.increment with blockDurationMs", () => {
  it("keeps a key over its limit for the block after the hit that crossed it, then starts afresh", async () => {
    const store = new DbStore({ db: t.db, prefix: "lk:", blockDurationMs: BLOCK, blockedKeyCacheSize: 0 });
    store.init({ windowMs: WINDOW, limit: 3 });
    const first = await store.increment("k");
    const windowEnd = first.resetTime.getTime();
    expect((await store.increment("k")).totalHits).toBe(2);
    expect(await store.increment("k")).toEqual({ totalHits: 3, resetTime: first.resetTime });
    const before = await dbNow();
    const crossing = await store.increment("k");
    expect(crossing.totalHits).toBe(4);
    const blockEnd = crossing.resetTime.getTime();
    expect(blockEnd).toBeGreaterThanOrEqual(before + BLOCK);
    expect(blockEnd).toBeGreaterThan(windowEnd);

    await waitUntil(windowEnd); // the window would have ended here without the lockout
    expect(await store.increment("k"), "still blocked, still counting").toEqual({
      totalHits: 5,
      resetTime: crossing.resetTime,
    });
    expect(await store.get("k")).toEqual({ totalHits: 5, resetTime: crossing.resetTime });

    await waitUntil(blockEnd);
    const after = await store.increment("k");
    expect(after.totalHits).toBe(1);
    expect(after.resetTime.getTime()).toBeGreaterThanOrEqual(blockEnd + WINDOW);
  }, 15_000);

  it("N concurrent increments still get 1..N, and only the crossing moves the end", async () => {
    const store = new DbStore({ db: t.db, prefix: "lkc:", blockDurationMs: 60_000 });
    store.init({ windowMs: 30_000, limit: 50 });
    const results = await Promise.all(Array.from({ length: 120 }, () => store.increment("hot")));
    expect(results.map((r) => r.totalHits).sort((a, b) => a - b)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    const ends = new Set(results.filter((r) => r.totalHits > 50).map((r) => r.resetTime.getTime()));
    expect(ends.size, "every call past the limit sees the one block end").toBe(1);
  });

  it("needs the middleware's limit as a number (TypeError at init otherwise)", () => {
    const store = new DbStore({ db: t.db, blockDurationMs: 1000 });
    expect(() => store.init({ windowMs: 1000 })).toThrow(/@be-monorepo\/db: .*`limit`.*`blockDurationMs`/);
    expect(() => store.init({ windowMs: 1000, limit: () => 3 })).toThrow(TypeError);
    expect(() => new DbStore({ db: t.db, blockDurationMs: -1 })).toThrow(/`blockDurationMs`/);
    expect(() => new DbStore({ db: t.db, blockDurationMs: Number.POSITIVE_INFINITY })).toThrow(TypeError);
  });
});

describe("DbStore.consume with blockDurationMs", () => {
  it("the first denial starts the block; denials meanwhile change nothing; then a new window", async () => {
    const store = new DbStore({ db: t.db, prefix: "lkb:", blockDurationMs: BLOCK });
    const rule = { window: WINDOW / 1000, max: 2 };
    expect((await store.consume("k", rule)).allowed).toBe(true);
    expect((await store.consume("k", rule)).allowed).toBe(true);
    const start = await dbNow();
    const denied = await store.consume("k", rule);
    expect(denied).toEqual({ allowed: false, retryAfter: Math.ceil(BLOCK / 1000) });
    const row = async () =>
      rowsOf(await t.db.execute(sql`select count, last_request from rate_limit where key = 'lkb:k'`))[0];
    const blocked = await row();
    expect(Number(blocked?.count)).toBe(3); // max + 1 marks the block
    const blockEnd = Number(blocked?.last_request);
    expect(blockEnd).toBeGreaterThanOrEqual(start + BLOCK);

    await waitUntil(start + WINDOW);
    const again = await store.consume("k", rule);
    expect(again.allowed).toBe(false);
    expect(again.retryAfter).toBeLessThanOrEqual(Math.ceil((BLOCK - WINDOW) / 1000));
    expect(await row(), "a denial during the block writes nothing").toEqual(blocked);

    await waitUntil(blockEnd);
    expect(await store.consume("k", rule)).toEqual({ allowed: true, retryAfter: null });
  }, 15_000);
});

/** Requests 1..4 at once-per-call, a wait past the window (still 429), a wait past the block (200 again). */
async function middlewareScenario(key: string, request: () => Promise<Response>) {
  const start = await dbNow();
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await request()).status);
  expect(statuses).toEqual([200, 200, 200, 429]);
  const windowStart = rowsOf(await t.db.execute(sql`select window_start from rate_limit where key = ${key}`))[0];
  await waitUntil(Number(windowStart?.window_start) + WINDOW); // the window would have ended here
  const blocked = await request();
  expect(blocked.status, "blocked after the window's end").toBe(429);
  const retry = Number(blocked.headers.get("retry-after"));
  expect(retry).toBeGreaterThanOrEqual(1);
  expect(retry).toBeLessThanOrEqual(Math.ceil(BLOCK / 1000));
  await waitUntil(start + BLOCK + 500);
  expect((await request()).status).toBe(200);
}

describe("blockDurationMs through the middlewares, over HTTP", () => {
  it("hono-rate-limiter", async () => {
    const app = new Hono();
    app.use(
      "*",
      rateLimiter({
        windowMs: WINDOW,
        limit: 3,
        keyGenerator: () => "client",
        store: new DbStore({ db: t.db, prefix: "lkh:", blockDurationMs: BLOCK }),
      }),
    );
    app.get("/", (c) => c.text("ok"));
    await middlewareScenario("lkh:client", async () => await app.request("/"));
  }, 15_000);

  it("express-rate-limit", async () => {
    const app = express();
    app.use(
      rateLimit({
        windowMs: WINDOW,
        limit: 3,
        keyGenerator: () => "client",
        standardHeaders: "draft-6",
        store: new DbStore({ db: t.db, prefix: "lke:", blockDurationMs: BLOCK }),
      }),
    );
    app.get("/", (_req, res) => {
      res.send("ok");
    });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    const { port } = server.address() as AddressInfo;
    try {
      await middlewareScenario("lke:client", () => fetch(`http://127.0.0.1:${port}/`));
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 15_000);
});

describe.each(["sliding-window", "token-bucket"] as const)("blockDurationMs with algorithm %s", (algorithm) => {
  it("increment: over the limit until the block ends, even when the algorithm alone would allow", async () => {
    const store = new DbStore({
      db: t.db,
      prefix: `lk-${algorithm}:`,
      algorithm,
      blockDurationMs: BLOCK,
      blockedKeyCacheSize: 0,
    });
    store.init({ windowMs: WINDOW, limit: 2 });
    const start = await dbNow();
    await store.increment("k");
    await store.increment("k");
    const crossing = await store.increment("k");
    expect(crossing.totalHits).toBe(3);
    expect(crossing.resetTime.getTime()).toBeGreaterThanOrEqual(start + BLOCK);
    // Two windows later both algorithms alone would allow (an idle sliding window, a refilled bucket).
    await waitUntil(start + 2 * WINDOW);
    const blocked = await store.increment("k");
    expect(blocked.totalHits, "still over the limit").toBeGreaterThan(2);
    expect(blocked.resetTime.getTime()).toBeGreaterThanOrEqual(start + BLOCK);
    await waitUntil(start + BLOCK + 600);
    expect((await store.increment("k")).totalHits).toBeLessThanOrEqual(2);
  }, 15_000);

  it("consume: the first denial blocks, later denials do not extend it", async () => {
    const store = new DbStore({
      db: t.db,
      prefix: `lkc-${algorithm}:`,
      algorithm,
      blockDurationMs: BLOCK,
      blockedKeyCacheSize: 0,
    });
    const rule = { window: WINDOW / 1000, max: 2 };
    const start = await dbNow();
    expect((await store.consume("k", rule)).allowed).toBe(true);
    expect((await store.consume("k", rule)).allowed).toBe(true);
    expect(await store.consume("k", rule)).toEqual({ allowed: false, retryAfter: Math.ceil(BLOCK / 1000) });
    await waitUntil(start + 2 * WINDOW);
    const again = await store.consume("k", rule);
    expect(again.allowed).toBe(false);
    expect(again.retryAfter, "the block was not pushed by this denial").toBe(1);
    await waitUntil(start + BLOCK + 200);
    expect(await store.consume("k", rule)).toEqual({ allowed: true, retryAfter: null });
  }, 15_000);
});
