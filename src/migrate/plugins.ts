import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type PluginName, pluginNames } from "../schema/define.js";
import { MigrationError } from "./errors.js";
import { migrationsFolder } from "./folder.js";
import { readMigrationFolder } from "./journal.js";
import { readSnapshot, type Snapshot, type SnapshotTable } from "./snapshot.js";

/**
 * The folder of one plugin's migrations inside the package: `migrations/plugins/<plugin>/` (drizzle-kit's layout,
 * its own `meta/_journal.json`). They are generated against the core's migrations (`npm run db:generate:plugins`)
 * and only add that plugin's tables and columns. `folder` is the core's folder (default: the package's).
 */
export const pluginMigrationsFolder = (plugin: PluginName, folder: string = migrationsFolder): string =>
  join(folder, "plugins", plugin);

/**
 * The `plugins` option of `migrate()`, `migrationStatus()` and `checkSchema()`, checked; returned in
 * {@link pluginNames} order (the order their migrations are applied), without repeats.
 * @throws {TypeError} when it is not an array of supported plugin names.
 */
export function pluginsOption(value: unknown): PluginName[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new TypeError(`@be-monorepo/db: \`plugins\` must be an array of plugin names (got ${typeof value})`);
  }
  for (const name of value as unknown[]) {
    if (typeof name !== "string" || !(pluginNames as readonly string[]).includes(name)) {
      throw new TypeError(
        `@be-monorepo/db: unknown plugin ${JSON.stringify(name)} in \`plugins\`; supported: ${pluginNames.join(", ")}`,
      );
    }
  }
  return pluginNames.filter((name) => (value as string[]).includes(name));
}

const union = <T>(base: Record<string, T> | undefined, extra: Record<string, T> | undefined) => ({
  ...extra,
  ...base,
});

/**
 * `base` (the core's newest snapshot) plus what `extra` (a plugin's newest snapshot, which holds the core's tables
 * as they were when it was generated) adds: its own tables, and its columns, indexes and constraints on the core's
 * tables. Where both have the same name, `base` wins, so core changes made after the plugin's migrations are kept.
 */
export function mergeSnapshots(base: Snapshot, extra: Snapshot): Snapshot {
  const tables: Record<string, SnapshotTable> = { ...extra.tables, ...base.tables };
  for (const [key, table] of Object.entries(base.tables)) {
    const added = extra.tables[key];
    if (!added) continue;
    tables[key] = {
      ...table,
      columns: union(table.columns, added.columns),
      indexes: union(table.indexes, added.indexes),
      foreignKeys: union(table.foreignKeys, added.foreignKeys),
      compositePrimaryKeys: union(table.compositePrimaryKeys, added.compositePrimaryKeys),
      uniqueConstraints: union(table.uniqueConstraints, added.uniqueConstraints),
      checkConstraints: union(table.checkConstraints, added.checkConstraints),
    };
  }
  return { ...extra, ...base, tables };
}

/**
 * The newest snapshot of `folder` merged with the newest snapshot of each plugin's folder: every table and column
 * the package's migrations make with these plugins. `undefined` when `folder` has no migration.
 */
export function expectedSnapshot(folder: string, plugins: readonly PluginName[]): Snapshot | undefined {
  const newest = readMigrationFolder(folder).at(-1);
  if (!newest) return undefined;
  let snapshot = readSnapshot(folder, newest.idx);
  for (const plugin of plugins) {
    const pluginFolder = pluginMigrationsFolder(plugin, folder);
    const last = readMigrationFolder(pluginFolder).at(-1);
    if (last) snapshot = mergeSnapshots(snapshot, readSnapshot(pluginFolder, last.idx));
  }
  return snapshot;
}

/**
 * Prepares the host's own drizzle-kit folder for its `additionalFields` columns, so that `drizzle-kit generate` (on
 * a schema file exporting the host's `defineAuthSchema()` tables) writes only the host's columns: run it before each
 * `drizzle-kit generate`.
 *
 * - A folder without `meta/_journal.json` gets an empty journal and `meta/0000_snapshot.json` holding the tables the
 *   package's migrations make with `plugins`; drizzle-kit diffs against it, and its first migration (number 0000)
 *   replaces it.
 * - A folder with migrations: the package's tables (newest core and plugin snapshots) are merged into its newest
 *   snapshot, so that changes shipped by a newer version of the package are not generated again by the host.
 *
 * The host applies its folder with its own history (drizzle-kit's `migrate` or drizzle's migrator), after
 * `migrate(db, { plugins })`.
 * @returns the snapshot file written.
 * @throws {TypeError} for a bad `plugins` list. @throws {MigrationError} when a folder cannot be read.
 */
export function prepareHostMigrations(
  folder: string,
  {
    plugins,
    migrationsFolder: packageFolder = migrationsFolder,
  }: { plugins?: readonly PluginName[]; migrationsFolder?: string } = {},
): string {
  const expected = expectedSnapshot(packageFolder, pluginsOption(plugins));
  if (!expected) throw new MigrationError(`The migrations folder ${packageFolder} has no migration`);
  const meta = join(folder, "meta");
  mkdirSync(meta, { recursive: true });
  const journalPath = join(meta, "_journal.json");
  if (!existsSync(journalPath)) {
    writeFileSync(journalPath, `${JSON.stringify({ version: "7", dialect: "postgresql", entries: [] }, null, 2)}\n`);
  }
  const last = readMigrationFolder(folder).at(-1);
  const file = join(meta, `${String(last?.idx ?? 0).padStart(4, "0")}_snapshot.json`);
  if (!last) {
    writeFileSync(file, `${JSON.stringify(expected, null, 2)}\n`);
    return file;
  }
  const own = readSnapshot(folder, last.idx) as Snapshot & { id?: string; prevId?: string };
  const merged = mergeSnapshots(expected, own);
  writeFileSync(file, `${JSON.stringify({ ...merged, id: own.id, prevId: own.prevId }, null, 2)}\n`);
  return file;
}
