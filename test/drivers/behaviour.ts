import { afterAll, beforeAll, describe } from "vitest";
import { migrate } from "../../src/migrate/index.js";
import type { AnyPgDatabase } from "../../src/shared/database.js";
import { type BehaviourCase, behaviourCases } from "./cases/index.js";
import { type HostDatabase, type HostTables, type HostTraits, type MakeDb, staticTables } from "./hosts.js";

/** What every behaviour case gets. */
export interface BehaviourContext {
  /**
   * A database migrated with `migrate()`, shared by the cases of one suite (read it inside a test or hook, not
   * while registering). Cases write rows with keys of their own (random emails, tokens) and never rely on what
   * another case left behind.
   */
  readonly db: AnyPgDatabase;
  /** A fresh, empty database of the same driver and settings, for cases that need one (the caller closes it). */
  makeDb: MakeDb;
  /** How the host made its drizzle instance. */
  traits: HostTraits;
  /** The host's tables (`traits.tables`, else the package's static ones) and their `migrate()` options. */
  tables: HostTables;
}

/**
 * Registers the driver behaviour suite under `describe(name)`: every case of `cases` (by default all of
 * `./cases/index.ts`) runs against databases from `makeDb`, once migrated before the cases run.
 */
export function runBehaviourSuite(
  name: string,
  makeDb: MakeDb,
  traits: HostTraits,
  cases: readonly BehaviourCase[] = behaviourCases,
): void {
  const tables = traits.tables ?? staticTables;
  describe(name, () => {
    let host: HostDatabase | undefined;
    beforeAll(async () => {
      host = await makeDb();
      await migrate(host.db, tables.migrateOptions);
    });
    afterAll(async () => {
      await host?.close();
    });
    const context: BehaviourContext = {
      get db() {
        if (!host) throw new Error("the suite's database is only there inside tests and hooks");
        return host.db;
      },
      makeDb,
      traits,
      tables,
    };
    for (const register of cases) register(context);
  });
}
