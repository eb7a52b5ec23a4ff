import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import pg from "pg";
import { inject } from "vitest";
import { migrate } from "../../src/migrate/index.js";
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
 * The run's prepared starting points (test/global-setup.ts): `server`, a database with every shipped migration
 * applied by `migrate()`, to copy with `CREATE DATABASE … TEMPLATE` (server runs); `pgliteEmpty` and
 * `pgliteMigrated`, files with the data folder of a new PGlite before and after `migrate()` (`dumpDataDir`), to
 * start a PGlite from (PGlite-only runs). Each is "" when the run has none.
 */
const prepared = inject("prepared");

let emptyPglite: Promise<PGlite> | undefined;

/**
 * A new in-memory PGlite, empty or with every shipped migration applied. It starts from the run's prepared data
 * folder when there is one (the same state, without PGlite's initdb, which takes seconds); else it is a `clone()`
 * of one empty PGlite made once per test file, migrated here when asked.
 */
export async function newPglite({ migrated = false } = {}): Promise<PGlite> {
  const dump = migrated ? prepared.pgliteMigrated : prepared.pgliteEmpty;
  if (dump) return PGlite.create({ loadDataDir: new Blob([readFileSync(dump)]) });
  emptyPglite ??= PGlite.create();
  const client = (await (await emptyPglite).clone()) as PGlite;
  if (migrated) await migrate(drizzlePglite(client));
  return client;
}

/**
 * A fresh database for one test file: a new database on the server when there is one, else a new in-memory
 * PGlite. Empty by default; with `migrated: true`, every shipped migration is already applied as `migrate()` does
 * (copied from the run's prepared database, or migrated here): for tests where migrating is not the point.
 */
export async function createTestDatabase(label: string, { migrated = false } = {}): Promise<TestDatabase> {
  if (serverUrl) {
    const { url, drop } =
      migrated && prepared.server
        ? await createServerDatabase(label, `template "${prepared.server}"`)
        : await createServerDatabase(label);
    const { pool, end } = closablePool({ connectionString: url, max: 10 });
    const db = drizzlePg(pool, { schema: authSchema });
    if (migrated && !prepared.server) await migrate(db);
    return {
      kind: "postgres",
      url,
      db,
      close: async () => {
        await end();
        await drop();
      },
    };
  }
  const client = await newPglite({ migrated });
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
