/**
 * When the database does not answer: the increment queue is bounded, `shutdown` is bounded, and exactly which
 * failed increments are not counted (server-side failures, never-sent increments) and which may be (the client
 * gave up while the statement could still run).
 */
import net from "node:net";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DbStore, DbStoreError } from "../../src/rate-limit/index.js";
import { rowsOf as rows } from "../../src/shared/rows.js";
import { closablePool, createTestDatabase, serverOnly, serverUrl, type TestDatabase } from "../support/database.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 10 ms until it is true; fails after `ms`. */
async function until(what: string, check: () => Promise<boolean> | boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

/** A rejected promise's reason (fails the test when it resolved). */
const reasonOf = async (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );

/**
 * A server that accepts TCP connections and never answers: a database that stopped responding. node-postgres
 * connects to it and waits for the startup reply forever.
 */
async function silentServer() {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  const pool = new pg.Pool({ host: "127.0.0.1", port, user: "nobody", database: "nothing", max: 4 });
  pool.on("error", () => {});
  return {
    db: drizzle(pool),
    sockets,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
      await pool.end();
    },
  };
}

describe("DbStore against a database that never answers", () => {
  it("rejects increments at once with DbStoreError beyond maxQueueSize; shutdown gives up after timeoutMs and rejects every waiting caller", async () => {
    const silent = await silentServer();
    try {
      const s = new DbStore({ db: silent.db, maxInFlight: 1, maxQueueSize: 10 });
      s.init({ windowMs: 60_000 });
      const running = s.increment("first");
      await until("the first statement is on its way", () => silent.sockets.size === 1);
      const queued = Array.from({ length: 10 }, (_, i) => s.increment(`queued${i % 3}`));

      const t0 = performance.now();
      const full = await reasonOf(s.increment("one too many"));
      expect(performance.now() - t0).toBeLessThan(50);
      expect(full).toBeInstanceOf(DbStoreError);
      expect((full as DbStoreError).operation).toBe("increment");
      expect((full as Error).message).toMatch(/10 increments are already waiting .*maxQueueSize 10.*not counted/);

      const t1 = performance.now();
      const gaveUp = await reasonOf(s.shutdown({ timeoutMs: 300 }));
      const took = performance.now() - t1;
      expect(took).toBeGreaterThanOrEqual(290);
      expect(took).toBeLessThan(1500);
      expect(gaveUp).toBeInstanceOf(DbStoreError);
      expect((gaveUp as DbStoreError).operation).toBe("shutdown");
      expect((gaveUp as Error).message).toMatch(/11 increments were still waiting for the database after 300 ms/);
      for (const reason of await Promise.all(queued.map(reasonOf))) {
        expect(reason).toBeInstanceOf(DbStoreError);
        expect((reason as Error).message).toMatch(/shut down before this increment was sent .*not counted/);
      }
      const inStatement = await reasonOf(running);
      expect(inStatement).toBeInstanceOf(DbStoreError);
      expect((inStatement as Error).message).toMatch(/shut down while .* running; the database may still count it/);
      // Room again in the queue: a new increment is accepted (it waits like the first one).
      const later = s.increment("later");
      later.catch(() => {});
      await expect(s.shutdown({ timeoutMs: 0 })).rejects.toThrow(/1 increments were still waiting/);
      await expect(later).rejects.toBeInstanceOf(DbStoreError);
    } finally {
      await silent.close();
    }
  });

  it("defaults to 10,000 waiting increments, and shutdown's timeoutMs is checked", async () => {
    const silent = await silentServer();
    try {
      const s = new DbStore({ db: silent.db }); // maxInFlight 4: four statements on their way, then the queue
      s.init({ windowMs: 60_000 });
      const calls: Promise<unknown>[] = [];
      for (let i = 0; i < 4; i++) {
        calls.push(s.increment(`running${i}`));
        await until(`statement ${i + 1} is on its way`, () => silent.sockets.size === i + 1);
      }
      for (let i = 0; i < 10_000; i++) calls.push(s.increment("queued"));
      for (const call of calls) call.catch(() => {});
      await expect(s.increment("one too many")).rejects.toThrow(/maxQueueSize 10000/);
      await expect(s.shutdown({ timeoutMs: -1 })).rejects.toThrow(TypeError);
      await expect(s.shutdown({ timeoutMs: Number.NaN })).rejects.toThrow(/`timeoutMs`/);
      await expect(s.shutdown({ timeoutMs: 10 })).rejects.toThrow(/10004 increments were still waiting/);
    } finally {
      await silent.close();
    }
  });
});

describe.runIf(serverUrl)(
  serverOnly(
    "DbStore: which failed increments are not counted (needs a PostgreSQL server: a second connection holds a lock)",
  ),
  () => {
    let t: TestDatabase;
    let holder: pg.Client;
    beforeAll(async () => {
      t = await createTestDatabase("rate_limit_failures", { migrated: true });
      holder = new pg.Client({ connectionString: t.url });
      await holder.connect();
    });
    afterAll(async () => {
      await holder.end();
      await t.close();
    });

    let n = 0;
    /** A store on a pool of its own (node-postgres settings given), and its prefix's first key already counted once. */
    async function storeWithPool(config: pg.PoolConfig, options: { maxInFlight?: number } = {}) {
      const { pool, end } = closablePool({ connectionString: t.url, max: 2, ...config });
      pool.on("error", () => {});
      const s = new DbStore({ db: drizzle(pool), prefix: `fail${n++}:`, ...options });
      s.init({ windowMs: 60_000 });
      return { s, end };
    }
    /** The key's count in the table (any window), or undefined without a row. */
    const countOf = async (prefix: string, key: string) =>
      rows(await t.db.execute(sql`select count from rate_limit where key = ${prefix + key}`))[0]?.count as
        | number
        | undefined;
    /** Holds the key's row locked in an open transaction of `holder` until `release()`. */
    async function lockRow(prefix: string, key: string) {
      await holder.query("begin");
      await holder.query(`select 1 from rate_limit where key = $1 for update`, [prefix + key]);
      return { release: () => holder.query("commit") };
    }
    /** Resolves once `count` increment statements wait for a lock. */
    const waitingStatements = (count: number) =>
      until(`${count} increment statement(s) wait for the lock`, async () => {
        const found = rows(
          await t.db.execute(sql`select count(*)::int as c from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock' and query like 'insert into "rate_limit"%'`),
        );
        return found[0]?.c === count;
      });

    it("server-side statement_timeout (57014): the statement is rolled back, none of its hits is counted", async () => {
      const { s, end } = await storeWithPool({ statement_timeout: 300 });
      try {
        await s.increment("locked");
        const lock = await lockRow(s.prefix, "locked");
        // Both keys go in one statement, which waits for the locked row until statement_timeout cancels it.
        const failures = await Promise.all([s.increment("locked"), s.increment("free")].map(reasonOf));
        await lock.release();
        for (const failure of failures) {
          expect(failure).toBeInstanceOf(DbStoreError);
          expect((failure as { cause: { code?: string } }).cause.code).toBe("57014");
        }
        expect(await countOf(s.prefix, "locked")).toBe(1);
        expect(await countOf(s.prefix, "free")).toBeUndefined();
      } finally {
        await end();
      }
    });

    it("a backend terminated mid-statement (57P01): the statement is rolled back, its hit is not counted", async () => {
      const { s, end } = await storeWithPool({});
      try {
        await s.increment("locked");
        const lock = await lockRow(s.prefix, "locked");
        const failure = reasonOf(s.increment("locked"));
        await waitingStatements(1);
        await t.db.execute(sql`select pg_terminate_backend(pid) from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and query like 'insert into "rate_limit"%'`);
        const reason = await failure;
        await lock.release();
        expect(reason).toBeInstanceOf(DbStoreError);
        expect((reason as { cause: { code?: string } }).cause.code).toBe("57P01");
        expect(await countOf(s.prefix, "locked")).toBe(1);
        expect((await s.increment("locked")).totalHits).toBe(2);
      } finally {
        await end();
      }
    });

    it("node-postgres's client-side query_timeout: the caller is rejected, yet the statement commits later and the hit IS counted", async () => {
      // client_connection_check_interval = 0 (PostgreSQL's default): the backend does not notice meanwhile that
      // node-postgres closed the connection, as on most servers.
      const { s, end } = await storeWithPool({
        query_timeout: 300,
        options: "-c client_connection_check_interval=0",
      });
      try {
        await s.increment("locked");
        const lock = await lockRow(s.prefix, "locked");
        const reason = await reasonOf(s.increment("locked"));
        expect(reason).toBeInstanceOf(DbStoreError);
        expect((reason as Error).message).toMatch(/Query read timeout/);
        expect(await countOf(s.prefix, "locked")).toBe(1);
        await lock.release();
        await until("the abandoned statement committed", async () => (await countOf(s.prefix, "locked")) === 2);
      } finally {
        await end();
      }
    });

    it("shutdown giving up: queued increments are never sent (not counted), the running statement may still commit (counted)", async () => {
      const { s, end } = await storeWithPool({}, { maxInFlight: 1 });
      try {
        await s.increment("locked");
        const lock = await lockRow(s.prefix, "locked");
        const running = reasonOf(s.increment("locked"));
        await waitingStatements(1);
        const queued = [s.increment("queued"), s.increment("queued"), s.increment("other")].map(reasonOf);
        await expect(s.shutdown({ timeoutMs: 100 })).rejects.toThrow(/4 increments were still waiting/);
        for (const reason of await Promise.all(queued)) expect((reason as Error).message).toMatch(/not counted/);
        expect(((await running) as Error).message).toMatch(/may still count it/);
        await lock.release();
        await s.shutdown({ timeoutMs: 3000 }); // the running statement ends: nothing waits any more
        expect(await countOf(s.prefix, "locked")).toBe(2);
        expect(await countOf(s.prefix, "queued")).toBeUndefined();
        expect(await countOf(s.prefix, "other")).toBeUndefined();
      } finally {
        await end();
      }
    });
  },
);
