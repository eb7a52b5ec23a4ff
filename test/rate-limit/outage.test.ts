/**
 * `onDatabaseError`: what a store does while its database is really unreachable. The store's pool goes through a
 * small TCP proxy of this test to the PostgreSQL server; the test closes the proxy (open connections cut, new ones
 * refused) and opens it again on the same port. No mocks: the driver sees a real refused or lost connection.
 */
import net from "node:net";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/migrate/index.js";
import { DbStore, DbStoreError, type OnDatabaseError } from "../../src/rate-limit/index.js";
import { rowsOf } from "../../src/shared/rows.js";
import { createTestDatabase, serverOnly, serverUrl, type TestDatabase } from "../support/database.js";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("rate_limit_outage");
  await migrate(t.db);
});
afterAll(() => t.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP proxy to the test server that can be closed (cutting every connection) and opened again. */
async function tcpProxy() {
  const target = new URL(t.url as string);
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const open = () =>
    new Promise<void>((resolve) => {
      const listening = net.createServer((client) => {
        const upstream = net.connect(Number(target.port || 5432), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on("error", () => s.destroy());
          s.on("close", () => sockets.delete(s));
        }
        client.pipe(upstream).pipe(client);
        client.on("close", () => upstream.destroy());
        upstream.on("close", () => client.destroy());
      });
      server = listening;
      listening.listen(port, "127.0.0.1", () => {
        port = (listening.address() as net.AddressInfo).port;
        resolve();
      });
    });
  const close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      if (server) server.close(() => resolve());
      else resolve();
    });
  await open();
  const url = new URL(t.url as string);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  return { url: url.toString(), open, close };
}

async function storeThroughProxy(policy: OnDatabaseError | undefined, prefix: string) {
  const proxy = await tcpProxy();
  const pool = new pg.Pool({ connectionString: proxy.url, max: 2, connectionTimeoutMillis: 2000 });
  pool.on("error", () => {}); // an idle connection cut by the proxy: the pool drops it
  const store = new DbStore({ db: drizzle(pool), prefix, ...(policy ? { onDatabaseError: policy } : {}) });
  store.init({ windowMs: 60_000, limit: 3 });
  return { proxy, store, end: () => pool.end() };
}

const storedCount = async (key: string) =>
  Number(rowsOf(await t.db.execute(sql`select count from rate_limit where key = ${key}`))[0]?.count);

/** Calls `call` until it resolves (the store has seen the database back), at most `ms` milliseconds. */
async function untilBack<T>(call: () => Promise<T>, ok: (value: T) => boolean, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await call().catch(() => undefined);
    if (value !== undefined && ok(value)) return value;
    if (Date.now() > deadline) throw new Error("the store did not come back to the database in time");
    await sleep(100);
  }
}

describe.runIf(serverUrl)(serverOnly("DbStore onDatabaseError, with the database really unreachable"), () => {
  it('"fail" (the default): rejects with DbStoreError while unreachable, counts in the database once back', async () => {
    const { proxy, store, end } = await storeThroughProxy(undefined, "of:");
    try {
      expect((await store.increment("k")).totalHits).toBe(1);
      await proxy.close();
      await expect(store.increment("k")).rejects.toBeInstanceOf(DbStoreError);
      await expect(store.consume("c", { window: 60, max: 1 })).rejects.toBeInstanceOf(DbStoreError);
      await proxy.open();
      const back = await untilBack(
        () => store.increment("k"),
        () => true,
      );
      expect(back.totalHits).toBe(2);
    } finally {
      await proxy.close();
      await end();
    }
  }, 20_000);

  it('"allow": lets calls through uncounted while unreachable, then counts in the database again', async () => {
    const { proxy, store, end } = await storeThroughProxy("allow", "oa:");
    try {
      expect((await store.increment("k")).totalHits).toBe(1);
      await proxy.close();
      for (let i = 0; i < 5; i++) expect((await store.increment("k")).totalHits).toBe(0);
      for (let i = 0; i < 3; i++) {
        expect(await store.consume("c", { window: 60, max: 1 })).toEqual({ allowed: true, retryAfter: null });
      }
      await store.decrement("k"); // no database: nothing to take back, no rejection
      await proxy.open();
      // Back after the next probe (at most a second): the database's count goes on from 1.
      const back = await untilBack(
        () => store.increment("k"),
        (x) => x.totalHits > 0,
      );
      expect(back.totalHits).toBe(2);
      expect(await storedCount("oa:k")).toBe(2);
    } finally {
      await proxy.close();
      await end();
    }
  }, 20_000);

  it('"memory": counts in process memory while unreachable (limits hold), then the database again', async () => {
    const { proxy, store, end } = await storeThroughProxy("memory", "om:");
    try {
      expect((await store.increment("k")).totalHits).toBe(1);
      expect((await store.increment("k")).totalHits).toBe(2);
      await proxy.close();
      const during = [];
      for (let i = 0; i < 5; i++) during.push((await store.increment("k")).totalHits);
      expect(during, "a fresh window in memory").toEqual([1, 2, 3, 4, 5]);
      await store.decrement("k");
      expect((await store.increment("k")).totalHits).toBe(5);
      const consumed = [];
      for (let i = 0; i < 4; i++) consumed.push(await store.consume("c", { window: 60, max: 2 }));
      expect(consumed.map((x) => x.allowed)).toEqual([true, true, false, false]);
      expect(consumed[3]?.retryAfter).toBeGreaterThanOrEqual(59);
      await proxy.open();
      // The database kept its own count (2); the memory counts are dropped once it answers.
      const back = await untilBack(
        () => store.increment("k"),
        (x) => x.totalHits === 3,
      );
      expect(back.totalHits).toBe(3);
      expect(await storedCount("om:k")).toBe(3);
    } finally {
      await proxy.close();
      await end();
    }
  }, 20_000);

  it("an error that is not an outage (a missing table) still rejects, whatever the policy", async () => {
    const other = await createTestDatabase("rate_limit_outage_no_table");
    try {
      const store = new DbStore({ db: other.db, onDatabaseError: "allow" });
      store.init({ windowMs: 1000 });
      const error = await store.increment("k").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DbStoreError);
      expect((error as DbStoreError & { cause: { code: string } }).cause.code).toBe("42P01");
    } finally {
      await other.close();
    }
  });

  it("refuses an unknown policy", () => {
    expect(() => new DbStore({ db: t.db, onDatabaseError: "ignore" as "allow" })).toThrow(/`onDatabaseError`/);
  });
});
