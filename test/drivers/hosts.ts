import { drizzle as drizzleNodePostgres } from "drizzle-orm/node-postgres";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgresJs } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import {
  accountTable,
  authSchema,
  defineAuthSchema,
  type PluginName,
  rateLimitTable,
  selectAccountTableSchema,
  selectRateLimitTableSchema,
  selectSessionTableSchema,
  selectUserTableSchema,
  selectVerificationTableSchema,
  sessionTable,
  userTable,
  verificationTable,
} from "../../src/schema/index.js";
import type { AnyPgDatabase } from "../../src/shared/database.js";
import { adminQuery, closablePool, createServerDatabase, newPglite } from "../support/database.js";

/**
 * The tables a host uses and where `migrate()` put them: the package's static exports in `public`, or
 * `defineAuthSchema({ pgSchema, plugins })`'s. Typed as the static ones, which every placed table extends in
 * columns (the plugins' columns all have defaults or are nullable), so the cases read the same either way.
 */
export interface HostTables {
  userTable: typeof userTable;
  sessionTable: typeof sessionTable;
  accountTable: typeof accountTable;
  verificationTable: typeof verificationTable;
  rateLimitTable: typeof rateLimitTable;
  authSchema: typeof authSchema;
  selectUserTableSchema: typeof selectUserTableSchema;
  selectSessionTableSchema: typeof selectSessionTableSchema;
  selectAccountTableSchema: typeof selectAccountTableSchema;
  selectVerificationTableSchema: typeof selectVerificationTableSchema;
  selectRateLimitTableSchema: typeof selectRateLimitTableSchema;
  /** What to give `migrate()`, `migrationStatus()` and `checkSchema()`: `{}` for the static tables. */
  migrateOptions: { pgSchema?: string; plugins?: PluginName[] };
}

/** The package's static tables, in `public`: what every suite used before the `pgSchema` option. */
export const staticTables: HostTables = {
  userTable,
  sessionTable,
  accountTable,
  verificationTable,
  rateLimitTable,
  authSchema,
  selectUserTableSchema,
  selectSessionTableSchema,
  selectAccountTableSchema,
  selectVerificationTableSchema,
  selectRateLimitTableSchema,
  migrateOptions: {},
};

/** `defineAuthSchema({ pgSchema, plugins })`'s tables, and the same options for `migrate()`. */
export function placedTables(pgSchema: string, plugins: readonly PluginName[]): HostTables {
  const s = defineAuthSchema({ pgSchema, plugins });
  return {
    ...(s as unknown as Omit<HostTables, "migrateOptions">),
    migrateOptions: { pgSchema, plugins: [...plugins] },
  };
}

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
  /** The host's tables; the package's static ones when not given. */
  tables?: HostTables;
  /**
   * The `search_path` every session of the host starts with (`ALTER DATABASE … SET`, or `SET` on PGlite), when
   * not the server's default.
   */
  searchPath?: string;
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
export type DrizzleSettings = Pick<HostTraits, "casing" | "withSchema" | "tables" | "searchPath">;

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
  ...(traits.withSchema ? { schema: (traits.tables ?? staticTables).authSchema } : {}),
});

async function serverDatabase(label: string, traits: DrizzleSettings) {
  const created = await createServerDatabase(label);
  const name = new URL(created.url).pathname.slice(1);
  await adminQuery(`alter database "${name}" set timezone to '${SESSION_TIME_ZONE}'`);
  if (traits.searchPath !== undefined) {
    await adminQuery(`alter database "${name}" set search_path to ${traits.searchPath}`);
  }
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
    const { url, drop } = await serverDatabase(serverLabel, traits);
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
    const { url, drop } = await serverDatabase(serverLabel, traits);
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
    if (traits.searchPath !== undefined) await client.exec(`set search_path to ${traits.searchPath}`);
    return {
      db: drizzlePglite(client, drizzleConfig(traits)) as unknown as AnyPgDatabase,
      close: () => client.close(),
    };
  };
