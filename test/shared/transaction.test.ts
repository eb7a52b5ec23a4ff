/**
 * A backend terminated in the middle of the package's own transactions (an operator's `pg_terminate_backend`, a
 * server restart): the call rejects with the package's typed error, the host process survives, and the host's
 * pool goes on working. node-postgres emits `'error'` on the lost client; a pool listens only on idle clients,
 * so without the guard this was an uncaught `Unhandled 'error' event` even with `pool.on('error')` set.
 * PGlite has no such event; the guard is a plain transaction there (migrate() and softDeleteUser() run through it
 * in every PGlite test: test/drivers/pglite.test.ts, the CLI's --pglite tests, the PGlite-only run).
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MigrationError, migrate, migrationsFolder } from "../../src/migrate/index.js";
import { readMigrationFolder } from "../../src/migrate/journal.js";
import { userTable } from "../../src/schema/index.js";
import { rowsOf } from "../../src/shared/rows.js";
import { guardedTransaction, type TransactionGuard } from "../../src/shared/transaction.js";
import { SoftDeleteError, softDeleteUser } from "../../src/soft-delete/index.js";
import { type Watcher, watcher } from "../support/backends.js";
import { closablePool, createServerDatabase, serverOnly, serverUrl } from "../support/database.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const N = readMigrationFolder(migrationsFolder).length;
const LOCK_KEY = "@be-monorepo/db:drizzle.__be_db_migrations";

class TestError extends Error {}
const guard: TransactionGuard = {
  passes: (error) => error instanceof TestError,
  wrap: (cause) => new TestError("wrapped", { cause }),
};

/** Uncaught exceptions while a test runs (vitest reports them too; this makes the test itself fail on one). */
let uncaught: unknown[] = [];
let onUncaught: () => void = () => {};
const record = (error: unknown) => {
  uncaught.push(error);
  onUncaught();
};
beforeEach(() => {
  uncaught = [];
  process.on("uncaughtException", record);
});
/**
 * The call's rejection, or the first uncaught exception when that comes first: an uncaught 'error' event thrown
 * from node-postgres's 'end' handler also leaves the call pending for ever.
 */
const outcome = (call: Promise<unknown>) =>
  Promise.race([
    call.then(
      () => new Error("expected a rejection"),
      (error: unknown) => error,
    ),
    new Promise((resolve) => {
      onUncaught = () => resolve(uncaught[0]);
    }),
  ]);
afterEach(() => {
  process.off("uncaughtException", record);
});

/**
 * Ends a test's pool. After an uncaught 'error' event a client never emits 'end' (the exception left its handler
 * early), so waiting for every client would hang: the test has failed already, and only the pool is ended.
 */
const closed = (end: () => Promise<void>) => (uncaught.length === 0 ? end() : undefined);

/** Lets the lost connection's last events ('end', and the 'error' that comes with it) happen. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 100));
const codeOf = (error: unknown) => ((error as Error).cause as { code?: string } | undefined)?.code;

describe.runIf(serverUrl)(serverOnly("a backend terminated during the package's transactions"), () => {
  let database: { url: string; drop: () => Promise<void> };
  let w: Watcher;
  beforeEach(async () => {
    database = await createServerDatabase("killed");
    w = await watcher(database.url);
  });
  afterEach(async () => {
    await w.close();
    await database.drop();
  });

  it("migrate() through a pg.Pool with pool.on('error') set rejects with MigrationError; the pool works on", async () => {
    const { pool, end } = closablePool({ connectionString: database.url, max: 2 });
    const poolErrors: unknown[] = [];
    pool.on("error", (error) => poolErrors.push(error));
    try {
      await w.client.query("select pg_advisory_lock(hashtext($1))", [LOCK_KEY]);
      const pending = outcome(migrate(drizzle(pool)));
      await w.terminate(await w.waitingOnLock("pg_advisory_xact_lock"));
      const error = await pending;
      await settle();

      expect(uncaught).toEqual([]);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as MigrationError).message).toMatch(
        /^Cannot take the migration lock of drizzle\.__be_db_migrations: terminating connection due to administrator command/,
      );
      expect((error as MigrationError).migration).toBeUndefined();
      expect(codeOf(error)).toBe("57P01");

      await w.client.query("select pg_advisory_unlock_all()");
      expect((await pool.query("select 1 as one")).rows).toEqual([{ one: 1 }]);
      expect((await migrate(drizzle(pool))).applied).toHaveLength(N);
      expect(poolErrors).toEqual([]);
    } finally {
      await closed(end);
    }
  });

  it("migrate() through a pg.Client without an 'error' listener rejects with MigrationError, no crash", async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const ended = new Promise((resolve) => client.once("end", resolve));
    await w.client.query("select pg_advisory_lock(hashtext($1))", [LOCK_KEY]);
    const pending = outcome(migrate(drizzle(client)));
    await w.terminate(await w.waitingOnLock("pg_advisory_xact_lock"));
    const error = await pending;
    expect(uncaught).toEqual([]);
    await ended;
    await settle();

    expect(uncaught).toEqual([]);
    expect(error).toBeInstanceOf(MigrationError);
    expect(codeOf(error)).toBe("57P01");
    expect(client.listenerCount("error")).toBe(0);
  });

  it("postgres.js 3.4 itself still crashes on a backend terminated in sql.begin (porsager/postgres#1208): nothing to guard from outside", async () => {
    // Canary: postgres.js alone, no drizzle and no package code. When it stops crashing (the upstream fix ships),
    // this fails: then add the terminated-backend test for migrate() and softDeleteUser() through postgres.js.
    await w.client.query("select pg_advisory_lock(42)");
    const script = `
      import postgres from "postgres";
      const sql = postgres(process.env.URL, { max: 1, onnotice: () => {} });
      await sql.begin((tx) => tx\`select pg_advisory_xact_lock(42)\`).catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 300));
      await sql.end();
      console.log("survived");`;
    const child = execFile(process.execPath, ["--input-type=module", "-e", script], {
      cwd: root,
      env: { ...process.env, URL: database.url },
    });
    let output = "";
    child.stdout?.on("data", (chunk) => (output += chunk));
    child.stderr?.on("data", (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    await w.terminate(await w.waitingOnLock("pg_advisory_xact_lock"));
    expect(await exited).not.toBe(0);
    expect(output).toContain("Cannot read properties of null (reading 'write')");
    expect(output).not.toContain("survived");
  });

  it("softDeleteUser() through a pg.Pool rejects with SoftDeleteError, changes nothing, and the pool works on", async () => {
    const { pool, end } = closablePool({ connectionString: database.url, max: 2 });
    pool.on("error", () => {});
    const db = drizzle(pool);
    try {
      await migrate(db);
      const [user] = await db.insert(userTable).values({ name: "Ada", email: "ada@example.com" }).returning();
      const id = user?.id as string;
      await w.client.query("begin");
      await w.client.query(`select 1 from "user" where id = $1 for update`, [id]);
      const pending = outcome(softDeleteUser(db, id));
      await w.terminate(await w.waitingOnLock('"user"'));
      const error = await pending;
      await settle();
      await w.client.query("rollback");

      expect(uncaught).toEqual([]);
      expect(error).toBeInstanceOf(SoftDeleteError);
      expect((error as Error).message).toMatch(
        /^@be-monorepo\/db: softDeleteUser\(\) failed: terminating connection due to administrator command/,
      );
      expect(codeOf(error)).toBe("57P01");
      const [row] = await db.select().from(userTable);
      expect(row?.deletedAt).toBeNull();
      expect((await softDeleteUser(db, id)).user.deletedAt).not.toBeNull();
    } finally {
      await closed(end);
    }
  });

  it("guardedTransaction(): a connection lost between two statements gives the caller's error with 57P01", async () => {
    const { pool, end } = closablePool({ connectionString: database.url, max: 1 });
    pool.on("error", () => {});
    try {
      const error = await outcome(
        guardedTransaction(drizzle(pool), guard, async (tx) => {
          const [own] = rowsOf(await tx.execute(sql`select pg_backend_pid() as pid`));
          await w.terminate(Number(own?.pid));
          // Idle in transaction: the server's goodbye arrives with no query running (the 'error' event case).
          await settle();
          await tx.execute(sql`select 1`);
        }),
      );
      await settle();

      expect(uncaught).toEqual([]);
      expect(error).toBeInstanceOf(TestError);
      expect((error as TestError).message).toBe("wrapped");
      expect(codeOf(error)).toBe("57P01");
      expect((await pool.query("select 2 as two")).rows).toEqual([{ two: 2 }]);
    } finally {
      await closed(end);
    }
  });

  it("guardedTransaction(): the caller's own error passes unchanged, a driver error is wrapped, a result is returned", async () => {
    const { pool, end } = closablePool({ connectionString: database.url, max: 1 });
    const db = drizzle(pool);
    try {
      const own = new TestError("mine");
      await expect(guardedTransaction(db, guard, async () => Promise.reject(own))).rejects.toBe(own);
      const wrapped = await guardedTransaction(db, guard, (tx) => tx.execute(sql`select 1/0`)).catch((e: unknown) => e);
      expect(wrapped).toBeInstanceOf(TestError);
      expect((wrapped as TestError).message).toBe("wrapped");
      // The driver's own error, drizzle's wrapper taken off: division_by_zero.
      expect(codeOf(wrapped)).toBe("22012");
      expect(await guardedTransaction(db, guard, async (tx) => rowsOf(await tx.execute(sql`select 3 as n`)))).toEqual([
        { n: 3 },
      ]);
      // The listener is gone once the transaction has ended: the pool's own idle listener is the only one left.
      const client = await pool.connect();
      try {
        expect(client.listenerCount("error")).toBe(0);
      } finally {
        client.release();
      }
    } finally {
      await closed(end);
    }
  });
});
