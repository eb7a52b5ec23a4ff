import { drizzle as drizzleNodePostgres } from "drizzle-orm/node-postgres";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgresJs } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { authSchema } from "../../src/schema/index.js";
import type { AnyPgDatabase } from "../../src/shared/database.js";
import { adminQuery, closablePool, createServerDatabase, newPglite } from "../support/database.js";

/** How the host made its drizzle instance: the settings a behaviour case may depend on. */
export interface HostTraits {
  /** The drizzle driver: `drizzle-orm/node-postgres`, `drizzle-orm/postgres-js` or `drizzle-orm/pglite`. */
  driver: "node-postgres" | "postgres-js" | "pglite";
  /** `"pgbouncer"` when the connections go through PgBouncer in transaction-pooling mode. */
  pooler: "pgbouncer" | undefined;
  /**
   * Whether the host's database serves several transactions at once (a pool of connections), so cases may
   * race callers against each other. PGlite runs one at a time.
   */
  concurrent: boolean;
  /** `casing` given to `drizzle()`. */
  casing: "snake_case" | undefined;
  /** Whether `schema: authSchema` was given to `drizzle()` (so `db.query.*` exists). */
  withSchema: boolean;
}

/** A host's drizzle database on a fresh, empty database, and how to throw both away. */
export interface HostDatabase {
  db: AnyPgDatabase;
  /** Closes the host's connections and drops the database. */
  close(): Promise<void>;
}

/** Makes a new {@link HostDatabase}; every call gives a database of its own. */
export type MakeDb = () => Promise<HostDatabase>;

/** The settings a host passes to `drizzle()` that the suite varies. */
export type DrizzleSettings = Pick<HostTraits, "casing" | "withSchema">;

/** The four ways a host may call `drizzle()`, each run through the whole suite. */
export const hostVariants: (DrizzleSettings & { label: string })[] = [
  { label: "no options", casing: undefined, withSchema: false },
  { label: "casing: snake_case", casing: "snake_case", withSchema: false },
  { label: "schema: authSchema", casing: undefined, withSchema: true },
  { label: "schema: authSchema, casing: snake_case", casing: "snake_case", withSchema: true },
];

/**
 * Every database the suite makes has a session `TimeZone` far from UTC and at an odd offset (+05:45), so that a
 * timestamp read or written as wall-clock time, rather than as an instant, shows up as a wrong value.
 */
export const SESSION_TIME_ZONE = "Asia/Kathmandu";

/**
 * The Node process of every driver test file runs in yet another zone (−03:30 or −02:30), so that a value
 * converted through the process's local time would also show up. Node applies a change of `TZ` at once; vitest
 * runs each test file in its own worker, so other test files are not affected.
 */
export const PROCESS_TIME_ZONE = "America/St_Johns";
process.env.TZ = PROCESS_TIME_ZONE;

const drizzleConfig = (traits: DrizzleSettings) => ({
  casing: traits.casing,
  ...(traits.withSchema ? { schema: authSchema } : {}),
});

async function serverDatabase(label: string) {
  const created = await createServerDatabase(label);
  const name = new URL(created.url).pathname.slice(1);
  await adminQuery(`alter database "${name}" set timezone to '${SESSION_TIME_ZONE}'`);
  return created;
}

/**
 * drizzle's node-postgres driver over a `pg.Pool` (at most `max` connections, default 5) to a fresh server
 * database; `through` rewrites the URL (to go through PgBouncer).
 */
export const nodePostgresHost =
  (
    serverLabel: string,
    traits: DrizzleSettings,
    options: { through?: (url: string) => string; max?: number } = {},
  ): MakeDb =>
  async () => {
    const { url, drop } = await serverDatabase(serverLabel);
    const { pool, end } = closablePool({
      connectionString: options.through ? options.through(url) : url,
      max: options.max ?? 5,
    });
    return {
      db: drizzleNodePostgres(pool, drizzleConfig(traits)) as unknown as AnyPgDatabase,
      close: async () => {
        await end();
        await drop();
      },
    };
  };

/**
 * drizzle's postgres.js driver (at most `max` connections, default 5) to a fresh server database. `prepare`
 * is postgres.js's option (named prepared statements; must be `false` behind PgBouncer in transaction mode).
 */
export const postgresJsHost =
  (
    serverLabel: string,
    traits: DrizzleSettings,
    options: { through?: (url: string) => string; max?: number; prepare?: boolean } = {},
  ): MakeDb =>
  async () => {
    const { url, drop } = await serverDatabase(serverLabel);
    const client = postgres(options.through ? options.through(url) : url, {
      max: options.max ?? 5,
      prepare: options.prepare ?? true,
      onnotice: () => {},
    });
    return {
      db: drizzlePostgresJs(client, drizzleConfig(traits)) as unknown as AnyPgDatabase,
      close: async () => {
        await client.end();
        await drop();
      },
    };
  };

/**
 * drizzle's PGlite driver on a new in-memory PGlite (in this process, no server), from `newPglite()`: the run's
 * prepared data folder, or a `clone()` of one empty PGlite made once per test file, several times faster than
 * starting a new one.
 */
export const pgliteHost =
  (traits: DrizzleSettings): MakeDb =>
  async () => {
    const client = await newPglite();
    await client.exec(`set timezone to '${SESSION_TIME_ZONE}'`);
    return {
      db: drizzlePglite(client, drizzleConfig(traits)) as unknown as AnyPgDatabase,
      close: () => client.close(),
    };
  };
