import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { checkSchema, migrate, migrationStatus, migrationsFolder } from "../../../src/migrate/index.js";
import { type PluginName, pluginNames } from "../../../src/schema/index.js";
import type { BehaviourCase } from "./index.js";
import { rawRows } from "./rows.js";

const tagsIn = (folder: string) =>
  (
    JSON.parse(readFileSync(join(folder, "meta", "_journal.json"), "utf8")) as { entries: { tag: string }[] }
  ).entries.map((entry) => entry.tag);

/** Tags of the shipped migrations, in journal order. */
export const shippedTags = tagsIn(migrationsFolder);

/** The core's tags, then each chosen plugin's (in `pluginNames` order), read from the shipped journals. */
const tagsWith = (plugins: readonly PluginName[] = []) => [
  ...shippedTags,
  ...pluginNames
    .filter((plugin) => plugins.includes(plugin))
    .flatMap((plugin) => tagsIn(join(migrationsFolder, "plugins", plugin))),
];

/** `migrate()` from scratch (several callers at once), again as a no-op, and `migrationStatus` before and after. */
export const migrateCase: BehaviourCase = ({ makeDb, tables }) => {
  const options = tables.migrateOptions;
  const tags = tagsWith(options.plugins);
  describe("migrate()", () => {
    it("applies every migration once from scratch with three callers at once, then does nothing", async () => {
      const fresh = await makeDb();
      try {
        const before = await migrationStatus(fresh.db, options);
        expect(before.applied).toEqual([]);
        expect(before.pending.map((m) => m.tag)).toEqual(tags);

        const results = await Promise.all([
          migrate(fresh.db, options),
          migrate(fresh.db, options),
          migrate(fresh.db, options),
        ]);
        const counts = results.map((r) => r.applied.length);
        expect(counts.sort()).toEqual([0, 0, tags.length]);
        const first = results.find((r) => r.applied.length > 0);
        expect(first?.applied.map((m) => m.tag)).toEqual(tags);

        expect((await migrate(fresh.db, options)).applied).toEqual([]);
        const after = await migrationStatus(fresh.db, options);
        expect(after.pending).toEqual([]);
        expect(after.applied.map((m) => m.tag)).toEqual(tags);
        const [history] = await rawRows(fresh.db, sql`select count(*)::int as n from drizzle.__be_db_migrations`);
        expect(Number(history?.n)).toBe(tags.length);
        expect(await checkSchema(fresh.db, options)).toEqual([]);
        if (options.pgSchema) {
          // Every relation, type and constraint is in the chosen schema; public holds nothing.
          const [where] = await rawRows(
            fresh.db,
            sql`select (select count(*)::int from pg_class where relnamespace = 'public'::regnamespace) as relations,
              (select count(*)::int from pg_type where typnamespace = 'public'::regnamespace) as types,
              (select count(*)::int from pg_class where relnamespace = ${options.pgSchema}::regnamespace and relkind = 'r') as tables`,
          );
          expect(where).toMatchObject({ relations: 0, types: 0 });
          expect(Number(where?.tables)).toBeGreaterThanOrEqual(5);
        }
      } finally {
        await fresh.close();
      }
    });
  });
};
