/**
 * The driver behaviour suite again, with the tables where a host that keeps them out of `public` has them:
 * `defineAuthSchema({ pgSchema: "auth", plugins: every supported plugin })`, migrated with
 * `migrate(db, { pgSchema: "auth", plugins })`, and every session's `search_path` set to a schema that is neither
 * (`other`), so nothing can be found by an unqualified name by chance.
 */
import { describe } from "vitest";
import { pluginNames } from "../../src/schema/index.js";
import { serverOnly, serverUrl } from "../support/database.js";
import { runBehaviourSuite } from "./behaviour.js";
import { type DrizzleSettings, nodePostgresHost, pgliteHost, placedTables, postgresJsHost } from "./hosts.js";

const tables = placedTables("auth", pluginNames);
const settings: (Omit<DrizzleSettings, "tables" | "searchPath"> & { label: string })[] = [
  { label: "pgSchema auth, every plugin, search_path other", casing: undefined, withSchema: false },
  {
    label: "pgSchema auth, every plugin, search_path other, schema: authSchema",
    casing: "snake_case",
    withSchema: true,
  },
];
const variants = settings.map((variant) => ({ ...variant, tables, searchPath: "other" }));

describe.runIf(serverUrl)(serverOnly("drizzle-orm/node-postgres, pg.Pool, tables in auth"), () => {
  for (const variant of variants) {
    runBehaviourSuite(variant.label, nodePostgresHost("drv_place_pg", variant), {
      ...variant,
      driver: "node-postgres",
      pooler: undefined,
      concurrent: true,
    });
  }
});

describe.runIf(serverUrl)(serverOnly("drizzle-orm/postgres-js, tables in auth"), () => {
  for (const variant of variants) {
    runBehaviourSuite(variant.label, postgresJsHost("drv_place_pgjs", variant), {
      ...variant,
      driver: "postgres-js",
      pooler: undefined,
      concurrent: true,
    });
  }
});

// PGlite runs in this process: no server needed, so these always run.
for (const variant of variants) {
  runBehaviourSuite(`drizzle-orm/pglite, tables in auth (${variant.label})`, pgliteHost(variant), {
    ...variant,
    driver: "pglite",
    pooler: undefined,
    concurrent: false,
  });
}
