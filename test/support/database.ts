import { randomBytes } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import pg from "pg";
import { inject } from "vitest";
import { authSchema } from "../../src/schema/index.js";

/** The server URL chosen by the global setup, or `undefined` when the run is on PGlite. */
export const serverUrl: string | undefined = inject("databaseUrl") || undefined;

/** A fresh database of its own for one test file. */
export interface TestDatabase {
  kind: "postgres" | "pglite";
  /** Connection URL of the fresh database (server runs only). */
  url: string | undefined;
  /** A drizzle database on it (node-postgres pool of 10, or PGlite), made with `schema: authSchema`. */
  db: ReturnType<typeof drizzlePg<typeof authSchema>> | ReturnType<typeof drizzlePglite<typeof authSchema>>;
  /** Drops the database and closes every connection. */
  close(): Promise<void>;
}

/** Runs `sql` on the server's maintenance database (the one named in `serverUrl`), or on the database at `url`. */
export async function adminQuery(text: string, url = serverUrl): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** This run's id (test/global-setup.ts): every database a test makes is named `bedb_<runId>_…`. */
const runId = inject("runId");

/**
 * Creates an empty database named `bedb_<runId>_<label>_<random>` on the server and returns its URL; `options`
 * is appended to `CREATE DATABASE` (e.g. an encoding). The global teardown drops any the file did not drop.
 */
export async function createServerDatabase(
  label: string,
  options = "",
): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!serverUrl) throw new Error("createServerDatabase needs a PostgreSQL server");
  const name = `bedb_${runId}_${label.replace(/\W+/g, "_").toLowerCase().slice(0, 30)}_${randomBytes(4).toString("hex")}`;
  await adminQuery(`create database "${name}" ${options}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => adminQuery(`drop database if exists "${name}" with (force)`) };
}

/**
 * A `pg.Pool` whose `end()` also waits until every connection is really closed. `pool.end()` alone resolves
 * before that, and dropping the database `with (force)` meanwhile terminates them: each raises an uncaught 57P01.
 */
export function closablePool(config: pg.PoolConfig): { pool: pg.Pool; end(): Promise<void> } {
  const pool = new pg.Pool(config);
  const closed: Promise<unknown>[] = [];
  pool.on("connect", (client) => closed.push(new Promise((resolve) => client.once("end", resolve))));
  return {
    pool,
    end: async () => {
      await pool.end();
      await Promise.all(closed);
    },
  };
}

/**
 * A fresh, empty database for one test file: a new database on the server when there is one, else a new
 * in-memory PGlite. Nothing is migrated yet.
 */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  if (serverUrl) {
    const { url, drop } = await createServerDatabase(label);
    const { pool, end } = closablePool({ connectionString: url, max: 10 });
    return {
      kind: "postgres",
      url,
      db: drizzlePg(pool, { schema: authSchema }),
      close: async () => {
        await end();
        await drop();
      },
    };
  }
  const client = new PGlite();
  return {
    kind: "pglite",
    url: undefined,
    db: drizzlePglite(client, { schema: authSchema }),
    close: () => client.close(),
  };
}

/**
 * Title for a `describe.runIf(serverUrl)` block: the name alone when a server is configured, else the name and
 * why it does not run (also printed as a warning, since the default reporter hides skipped titles), so a run on
 * PGlite says plainly what it did not prove.
 */
export function serverOnly(name: string): string {
  if (serverUrl) return name;
  const title = `${name}: NOT RUN, needs a PostgreSQL server (set DATABASE_URL, or start Docker for testcontainers)`;
  console.warn(`[@be-monorepo/db tests] ${title}`);
  return title;
}
