import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { migrate } from "../src/migrate/index.js";
import { findPgBouncer, pgBouncerMissing } from "./support/pgbouncer.js";

/**
 * Picks the PostgreSQL the whole run uses and tells every test file through `inject("databaseUrl")`:
 * 1. `DATABASE_URL` when set (CI always sets it);
 * 2. else a throw-away container from `@testcontainers/postgresql` when a Docker engine answers;
 * 3. else nothing: each test file then runs on its own embedded PGlite.
 *
 * A run leaves nothing behind. Its databases are named `bedb_<run>_…` (`inject("runId")`, test/support/database.ts)
 * and each file drops its own; the teardown drops any that remain, and says which. Its temporary folders are made
 * in one folder of its own (`TMPDIR`, inherited by the test workers and the processes they start); each file
 * removes its own (test/support/temp.ts), the teardown removes that folder.
 *
 * With `prepare` (the default), it also makes the starting points test files copy instead of migrating each
 * database themselves (`inject("prepared")`, test/support/database.ts `createTestDatabase`/`newPglite`).
 */
export default async function setup(project: TestProject, { prepare = true } = {}) {
  const runId = randomBytes(3).toString("hex");
  const runTmp = mkdtempSync(join(tmpdir(), `bedb-run-${runId}-`));
  // Readable by the postgres user, which runs PgBouncer and the password-checking cluster when the tests run as root.
  chmodSync(runTmp, 0o755);
  process.env.TMPDIR = runTmp;
  let stop: (() => Promise<unknown>) | undefined;
  let url = process.env.DATABASE_URL;
  let label = `PostgreSQL server at DATABASE_URL (${url?.replace(/\/\/[^@]*@/, "//")})`;
  if (!url) {
    try {
      const { PostgreSqlContainer } = await import("@testcontainers/postgresql");
      const container = await new PostgreSqlContainer("postgres:15-alpine").start();
      url = container.getConnectionUri();
      stop = () => container.stop();
      label = "PostgreSQL 15 in a testcontainers container";
    } catch {
      label = "embedded PGlite (no DATABASE_URL and no Docker engine), a fresh one per test file";
    }
  }
  console.log(`[@be-monorepo/db tests] database: ${label}`);
  // Printed here because the config's `silent: "passed-only"` hides what test files log (serverOnly's warnings).
  if (!url) {
    console.log(
      "[@be-monorepo/db tests] tests that need a PostgreSQL server are skipped; their titles say so; set DATABASE_URL to run them",
    );
  }
  // With a server but no pgbouncer binary, test/drivers/pgbouncer.test.ts does not run: say so here, for the same reason.
  if (url && !findPgBouncer()) {
    console.log(`[@be-monorepo/db tests] tests through PgBouncer: ${pgBouncerMissing}`);
  }
  project.provide("databaseUrl", url ?? "");
  project.provide("runId", runId);
  const prepared: Prepared = { server: "", pgliteEmpty: "", pgliteMigrated: "" };
  if (prepare && url) prepared.server = await migratedServerDatabase(url, runId);
  if (prepare && !url) Object.assign(prepared, await pgliteDataFolders(mkdtempSync(join(runTmp, "prepared-"))));
  project.provide("prepared", prepared);
  return async () => {
    try {
      if (prepared.server && url) await adminQuery(url, `drop database if exists "${prepared.server}" with (force)`);
      if (url && !stop) await dropLeftoverDatabases(url, runId);
    } finally {
      // tsx and jiti (drizzle-kit's loader) keep their compile caches there (`tsx-<uid>`, `jiti`): removed with the
      // folder, not a test file's leftovers.
      const tools = /^(prepared-|tsx-|jiti$)/;
      const left = readdirSync(runTmp).filter((name) => !tools.test(name));
      if (left.length > 0) {
        console.warn(`[@be-monorepo/db tests] removed temporary folders a test file left behind: ${left.join(", ")}`);
      }
      rmSync(runTmp, { recursive: true, force: true });
      await stop?.();
    }
  };
}

/** The run's starting points: names and paths, "" for those it has not made. */
interface Prepared {
  /** A server database with every shipped migration applied, a template for `CREATE DATABASE`. */
  server: string;
  /** PGlite's data folder (`dumpDataDir`, a tar file) right after initdb. */
  pgliteEmpty: string;
  /** The same after `migrate()`. */
  pgliteMigrated: string;
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * Creates `bedb_<runId>_migrated` and applies the shipped migrations with `migrate()`. Every connection to it is
 * closed when this resolves, as `CREATE DATABASE … TEMPLATE` requires.
 */
async function migratedServerDatabase(url: string, runId: string): Promise<string> {
  const name = `bedb_${runId}_migrated`;
  await adminQuery(url, `create database "${name}"`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: target.toString() });
  await client.connect();
  try {
    await migrate(drizzlePg(client));
  } finally {
    await client.end();
  }
  return name;
}

/** A new PGlite's data folder before and after `migrate()`, written as tar files in `dir`. */
async function pgliteDataFolders(dir: string): Promise<Pick<Prepared, "pgliteEmpty" | "pgliteMigrated">> {
  const client = await PGlite.create();
  try {
    const save = async (name: string) => {
      const path = join(dir, name);
      writeFileSync(path, Buffer.from(await (await client.dumpDataDir("none")).arrayBuffer()));
      return path;
    };
    const pgliteEmpty = await save("pglite-empty.tar");
    await migrate(drizzlePglite(client));
    return { pgliteEmpty, pgliteMigrated: await save("pglite-migrated.tar") };
  } finally {
    await client.close();
  }
}

/** Drops the databases of run `runId` that a test file did not drop (a failed `afterAll`, a killed worker). */
async function dropLeftoverDatabases(url: string, runId: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      "select datname from pg_database where starts_with(datname, $1) order by datname",
      [`bedb_${runId}_`],
    );
    for (const { datname } of rows) await client.query(`drop database if exists "${datname}" with (force)`);
    if (rows.length > 0) {
      const names = rows.map((row) => row.datname).join(", ");
      console.warn(`[@be-monorepo/db tests] dropped ${rows.length} database(s) a test file left behind: ${names}`);
    }
  } finally {
    await client.end();
  }
}

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    /** This run's id: its databases are named `bedb_<runId>_…`. */
    runId: string;
    prepared: Prepared;
  }
}
