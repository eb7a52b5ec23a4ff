import { sql } from "drizzle-orm";
import type { AnyPgDatabase } from "../shared/database.js";
import { driverMessage } from "../shared/driver-error.js";
import { compareWithSnapshot } from "./compare.js";
import { type AdoptFrom, camelCase, planTable, snakeCase } from "./convert.js";
import { MigrationError, SchemaMismatchError } from "./errors.js";
import { introspect, type LiveTable } from "./introspect.js";
import type { MigrationFile } from "./journal.js";
import { DEFAULT_PG_SCHEMA, placeSnapshot } from "./placement.js";
import { displayName, hasSnapshot, readSnapshot, type Snapshot, type SnapshotTable, tableKey } from "./snapshot.js";

/** Differences between the live tables and the schema right after `file`, including tables it does not make yet. */
function differencesAfter(live: Map<string, LiveTable>, file: MigrationFile, snapshot: Snapshot): string[] {
  const own = new Set(Object.values(snapshot.tables).map(tableKey));
  const early = [...live.keys()]
    .filter((key) => !own.has(key))
    .map((key) => `table ${displayName(key)} exists, but migrations up to ${file.tag} do not create it`);
  return [...compareWithSnapshot(live, snapshot), ...early];
}

/**
 * Adoption of a database whose tables were made by the same migrations under another history (for example the
 * host's own `drizzle.__drizzle_migrations`, with its own hashes and times): called by `migrate()` inside its
 * locked transaction when the package's history is empty.
 *
 * - None of the package's tables exists: a fresh database, returns `[]` (everything will be applied).
 * - Some exist: compares them with drizzle-kit's snapshot after each migration, newest first. The first exact
 *   match (every table of that snapshot present and identical, and none of the package's later tables present)
 *   means the database is at that migration: returns it and every earlier one, for `migrate()` to record.
 * - No match: throws, so the transaction rolls back and nothing is recorded or altered.
 *
 * The decision rests on the tables' shape only; another history table is never trusted nor changed.
 * With `pgSchema` (default `public`) the tables are looked for, and compared, in that schema (the snapshots' tables
 * and foreign keys moved there by `placeSnapshot`).
 * A folder without drizzle-kit's snapshots (`meta/NNNN_snapshot.json`) cannot be compared, so there is no adoption:
 * `migrate()` then simply applies everything, and a table that already exists makes it fail, with nothing kept.
 *
 * @throws {SchemaMismatchError} with the differences against the closest migration (fewest differences).
 * @throws {MigrationError} when a snapshot cannot be read or is in an unsupported format, or the catalogs cannot be
 *   queried.
 */
export async function adoptExistingTables(
  tx: AnyPgDatabase,
  folder: string,
  files: MigrationFile[],
  pgSchema: string = DEFAULT_PG_SCHEMA,
): Promise<MigrationFile[]> {
  if (!files.every((file) => hasSnapshot(folder, file.idx))) return [];
  const snapshots = files.map((file) => placeSnapshot(readSnapshot(folder, file.idx), pgSchema));
  const known = new Set(snapshots.flatMap((snapshot) => Object.values(snapshot.tables).map(tableKey)));
  let live: Map<string, LiveTable>;
  try {
    live = await introspect(tx, [...known]);
  } catch (cause) {
    throw new MigrationError("Cannot read the database's existing tables from the PostgreSQL catalogs", { cause });
  }
  if (live.size === 0) return [];

  let closest: { file: MigrationFile; differences: string[] } | undefined;
  for (let i = files.length - 1; i >= 0; i--) {
    const file = files[i] as MigrationFile;
    const differences = differencesAfter(live, file, snapshots[i] as Snapshot);
    if (differences.length === 0) return files.slice(0, i + 1);
    if (!closest || differences.length < closest.differences.length) closest = { file, differences };
  }
  const { file, differences } = closest as { file: MigrationFile; differences: string[] };
  throw new SchemaMismatchError(
    `The database already has tables named like this package's (${[...live.keys()].map(displayName).join(", ")}) ` +
      `but they match none of its migrations (closest: ${file.tag}, ${differences.length} difference(s)); ` +
      `nothing was changed:\n${differences.map((difference) => `- ${difference}`).join("\n")}`,
    { migration: file.tag, differences },
  );
}

/**
 * What one plugin's migrations add, from its newest snapshot (which also holds the core's tables as they were when
 * it was generated): its own tables, and the columns, indexes and constraints it adds to the core's tables.
 */
function pluginDelta(plugin: Snapshot, core: Snapshot): Map<string, SnapshotTable> {
  const minus = <T>(all: Record<string, T> | undefined, known: Record<string, T> | undefined) =>
    Object.fromEntries(Object.entries(all ?? {}).filter(([name]) => !(name in (known ?? {}))));
  const delta = new Map<string, SnapshotTable>();
  for (const table of Object.values(plugin.tables)) {
    const key = tableKey(table);
    const known = Object.values(core.tables).find((candidate) => tableKey(candidate) === key);
    delta.set(
      key,
      known
        ? {
            ...table,
            columns: minus(table.columns, known.columns),
            indexes: minus(table.indexes, known.indexes),
            foreignKeys: minus(table.foreignKeys, known.foreignKeys),
            compositePrimaryKeys: minus(table.compositePrimaryKeys, known.compositePrimaryKeys),
            uniqueConstraints: minus(table.uniqueConstraints, known.uniqueConstraints),
            checkConstraints: minus(table.checkConstraints, known.checkConstraints),
          }
        : table,
    );
  }
  return delta;
}

/**
 * The core's snapshot after one of its migrations with what each plugin adds: the plugins' own tables, and their
 * columns, indexes and constraints on those core tables the snapshot has (a core table that migration does not
 * make yet gets nothing).
 */
function withPlugins(core: Snapshot, newestCore: Snapshot, plugins: Snapshot[]): Snapshot {
  const tables: Record<string, SnapshotTable> = { ...core.tables };
  const coreKeys = new Set(Object.values(newestCore.tables).map(tableKey));
  for (const plugin of plugins) {
    for (const [key, added] of pluginDelta(plugin, newestCore)) {
      const name = Object.keys(tables).find((candidate) => tableKey(tables[candidate] as SnapshotTable) === key);
      if (name === undefined) {
        if (!coreKeys.has(key)) tables[key] = added;
        continue;
      }
      const base = tables[name] as SnapshotTable;
      tables[name] = {
        ...base,
        columns: { ...base.columns, ...added.columns },
        indexes: { ...base.indexes, ...added.indexes },
        foreignKeys: { ...base.foreignKeys, ...added.foreignKeys },
        compositePrimaryKeys: { ...base.compositePrimaryKeys, ...added.compositePrimaryKeys },
        uniqueConstraints: { ...base.uniqueConstraints, ...added.uniqueConstraints },
        checkConstraints: { ...base.checkConstraints, ...added.checkConstraints },
      };
    }
  }
  return { ...core, tables };
}

/** One chosen plugin's migrations: its folder and files. */
export interface PluginMigrations {
  folder: string;
  files: MigrationFile[];
}

/**
 * For each core migration, the expected tables after it with the chosen plugins' tables and columns added; or
 * `undefined` when a folder lacks drizzle-kit's snapshots (then nothing can be compared).
 */
function targetsOf(folder: string, files: MigrationFile[], plugins: PluginMigrations[]): Snapshot[] | undefined {
  if (files.length === 0 || !files.every((file) => hasSnapshot(folder, file.idx))) return undefined;
  const pluginSnapshots: Snapshot[] = [];
  for (const plugin of plugins) {
    const last = plugin.files.at(-1);
    if (!last) continue;
    if (!hasSnapshot(plugin.folder, last.idx)) return undefined;
    pluginSnapshots.push(readSnapshot(plugin.folder, last.idx));
  }
  const core = files.map((file) => readSnapshot(folder, file.idx));
  const newest = core.at(-1) as Snapshot;
  return core.map((snapshot) => withPlugins(snapshot, newest, pluginSnapshots));
}

/**
 * The chosen plugins whose tables or columns are in the database (under any of Better Auth's CLI spellings): only
 * those are converted and recorded; the others' migrations then run as usual.
 */
async function presentPlugins(
  tx: AnyPgDatabase,
  folder: string,
  files: MigrationFile[],
  plugins: PluginMigrations[],
): Promise<PluginMigrations[]> {
  if (plugins.length === 0) return plugins;
  const core = targetsOf(folder, files, [])?.at(-1);
  if (!core) return plugins;
  const present: PluginMigrations[] = [];
  for (const plugin of plugins) {
    const last = plugin.files.at(-1);
    if (!last || !hasSnapshot(plugin.folder, last.idx)) continue;
    const delta = pluginDelta(readSnapshot(plugin.folder, last.idx), core);
    const live = await readLiveTables(tx, [{ ...core, tables: Object.fromEntries(delta) }]);
    const found = [...delta].some(([key, table]) => {
      const own = !Object.values(core.tables).some((candidate) => tableKey(candidate) === key);
      const match = [...live.values()].find((candidate) =>
        [tableKey(candidate), tableKey({ schema: candidate.schema, name: snakeCase(candidate.name).replace(/s$/, "") })]
          .concat(tableKey({ schema: candidate.schema, name: snakeCase(candidate.name) }))
          .includes(key),
      );
      if (!match) return false;
      return own || match.columns.some((column) => snakeCase(column.name) in table.columns);
    });
    if (found) present.push(plugin);
  }
  return present;
}

/** A planned conversion: the statements that bring the live tables to the shape after `files[index]`. */
interface Conversion {
  index: number;
  statements: string[];
}

/** The closest migration when no conversion is possible, and why. */
interface Refusal {
  index: number;
  problems: string[];
}

/**
 * Reads the live tables named like the snapshots' tables, also under the names Better Auth's CLI gives them:
 * camelCase (`rateLimit`) and plural (`users`, `rate_limits`, `rateLimits`, with the adapter's `usePlural`).
 */
async function readLiveTables(tx: AnyPgDatabase, snapshots: Snapshot[]): Promise<Map<string, LiveTable>> {
  const variants = new Map<string, string[]>();
  for (const snapshot of snapshots) {
    for (const table of Object.values(snapshot.tables)) {
      const names = [table.name, camelCase(table.name)].flatMap((name) => [name, `${name}s`]);
      variants.set(
        tableKey(table),
        [...new Set(names)].map((name) => tableKey({ schema: table.schema, name })),
      );
    }
  }
  let live: Map<string, LiveTable>;
  try {
    live = await introspect(tx, [...new Set([...variants.values()].flat())]);
  } catch (cause) {
    throw new MigrationError("Cannot read the database's existing tables from the PostgreSQL catalogs", { cause });
  }
  // Where the table exists under the package's own name, a table under another spelling is the host's own.
  for (const [key, names] of variants) {
    if (live.has(key)) for (const name of names) if (name !== key) live.delete(name);
  }
  return live;
}

/** Plans the conversion of every live table into the shape after one migration (`snapshot`, tagged `tag`). */
function planSnapshot(
  live: Map<string, LiveTable>,
  snapshot: Snapshot,
  newest: Snapshot,
  tag: string,
): { statements: string[]; problems: string[] } {
  const targets = new Map<string, SnapshotTable>(
    Object.values(snapshot.tables).map((table) => [tableKey(table), table]),
  );
  const later = new Map<string, SnapshotTable>(Object.values(newest.tables).map((table) => [tableKey(table), table]));
  const statements: string[] = [];
  const problems: string[] = [];
  const paired = new Map<string, LiveTable>();
  /** A live table's name → the expected one: snake_case, and singular when only the singular is expected. */
  const tableName = (name: string) => {
    const snake = snakeCase(name);
    return [...targets.values()].some((table) => table.name === snake) ? snake : snake.replace(/s$/, "");
  };
  for (const [key, table] of live) {
    const target = tableKey({ schema: table.schema, name: tableName(table.name) });
    if (!targets.has(target)) {
      problems.push(`table ${displayName(key)} exists, but migrations up to ${tag} do not create it`);
    } else if (paired.has(target) || (key !== target && live.has(target))) {
      problems.push(`table ${displayName(key)} is not expected beside ${displayName(target)}`);
    } else {
      paired.set(target, table);
    }
  }
  for (const [key, target] of targets) {
    const table = paired.get(key);
    if (!table) {
      problems.push(`table ${displayName(key)} is missing`);
      continue;
    }
    const plan = planTable(target, table, later.get(key), tableName);
    statements.push(...plan.statements);
    problems.push(...plan.problems);
  }
  return { statements, problems };
}

/**
 * Finds the newest migration whose tables the live ones can be converted into (see `planTable` in convert.ts for
 * what a conversion may do), or the closest one (fewest problems) and why none can.
 */
function planConversion(
  live: Map<string, LiveTable>,
  files: MigrationFile[],
  snapshots: Snapshot[],
): Conversion | Refusal {
  const newest = snapshots.at(-1) as Snapshot;
  let closest: Refusal | undefined;
  for (let i = files.length - 1; i >= 0; i--) {
    const plan = planSnapshot(live, snapshots[i] as Snapshot, newest, (files[i] as MigrationFile).tag);
    if (plan.problems.length === 0) return { index: i, statements: plan.statements };
    if (!closest || plan.problems.length < closest.problems.length) closest = { index: i, problems: plan.problems };
  }
  return closest as Refusal;
}

/** How `adoptFrom` names the layout in messages. */
const LAYOUTS: Record<AdoptFrom, string> = {
  "better-auth-cli": "the drizzle schema Better Auth's CLI generates (@better-auth/cli generate)",
};

/**
 * Whether the existing tables could be converted with `adoptFrom: "better-auth-cli"`, or `undefined`. Changes
 * nothing. `hint` is a sentence saying how; `elsewhere` lists the convertible tables found under another name than
 * the package's (`users`, `rateLimit`), which `migrate()` alone would leave beside new, empty tables of its own.
 */
export async function conversionHint(
  tx: AnyPgDatabase,
  folder: string,
  files: MigrationFile[],
  chosen: PluginMigrations[] = [],
): Promise<{ hint: string; elsewhere: string[] } | undefined> {
  const snapshots = targetsOf(folder, files, await presentPlugins(tx, folder, files, chosen));
  if (!snapshots) return undefined;
  const live = await readLiveTables(tx, snapshots);
  const plan = planConversion(live, files, snapshots);
  if (!("statements" in plan)) return undefined;
  const expected = new Set(snapshots.flatMap((snapshot) => Object.values(snapshot.tables).map(tableKey)));
  return {
    hint:
      `These tables have the layout of ${LAYOUTS["better-auth-cli"]} and can be converted, keeping ` +
      `every row: migrate(db, { adoptFrom: "better-auth-cli" }), or be-db migrate --adopt-from better-auth-cli`,
    elsewhere: [...live.keys()].filter((key) => !expected.has(key)),
  };
}

/**
 * Adoption with conversion (`migrate()`'s `adoptFrom` option), called by `migrate()` inside its locked transaction
 * when the package's history is empty:
 *
 * - None of the package's tables exists (under its name or its camelCase name): a fresh database, returns `[]`.
 * - The tables are exactly as after some migration: as {@link adoptExistingTables}, nothing is altered.
 * - Otherwise they are planned against drizzle-kit's snapshot after each migration, newest first; the first
 *   migration whose tables they can be converted into, keeping every row (see `planTable` in convert.ts), is
 *   the one: the statements run in this transaction, the result is compared with that snapshot again, and
 *   that migration and every earlier one are returned, for `migrate()` to record, with the statements run.
 *   Later migrations then run.
 * - No such migration: throws, so the transaction rolls back and nothing is altered or recorded.
 *
 * @throws {SchemaMismatchError} with the problems against the closest migration (fewest problems), or when the
 *   converted tables still differ from the snapshot.
 * @throws {MigrationError} when the folder has no drizzle-kit snapshots, a snapshot cannot be read, the catalogs
 *   cannot be queried, or a conversion statement fails (the driver's error as `cause`).
 */
export async function convertExistingTables(
  tx: AnyPgDatabase,
  folder: string,
  files: MigrationFile[],
  from: AdoptFrom,
  chosen: PluginMigrations[] = [],
): Promise<{ files: MigrationFile[]; statements: string[] }> {
  if (files.length === 0) return { files: [], statements: [] };
  const plugins = await presentPlugins(tx, folder, files, chosen);
  const snapshots = targetsOf(folder, files, plugins);
  if (!snapshots) {
    throw new MigrationError(
      `adoptFrom "${from}" needs drizzle-kit's snapshots (meta/NNNN_snapshot.json) in the migrations folder ${folder} and in each plugin's`,
    );
  }
  const pluginFiles = plugins.flatMap((plugin) => plugin.files);
  const live = await readLiveTables(tx, snapshots);
  if (live.size === 0) return { files: [], statements: [] };
  for (let i = files.length - 1; i >= 0; i--) {
    if (differencesAfter(live, files[i] as MigrationFile, snapshots[i] as Snapshot).length === 0) {
      return { files: [...files.slice(0, i + 1), ...pluginFiles], statements: [] };
    }
  }

  const plan = planConversion(live, files, snapshots);
  const file = files[plan.index] as MigrationFile;
  if (!("statements" in plan)) {
    throw new SchemaMismatchError(
      `The database has tables named like this package's (${[...live.keys()].map(displayName).join(", ")}) but ` +
        `they cannot be converted from the layout of ${LAYOUTS[from]} (closest: ${file.tag}, ` +
        `${plan.problems.length} difference(s)); nothing was changed:\n${plan.problems.map((p) => `- ${p}`).join("\n")}`,
      {
        migration: file.tag,
        differences: plan.problems,
        hint: `adoptFrom "${from}" cannot convert them either: it does not change what is listed above`,
      },
    );
  }
  for (const statement of plan.statements) {
    try {
      await tx.execute(sql.raw(statement));
    } catch (cause) {
      throw new MigrationError(
        `Converting the existing tables to ${file.tag} failed at \`${statement}\`: ${driverMessage(cause)}; nothing was changed`,
        { migration: file.tag, cause },
      );
    }
  }
  const after = await readLiveTables(tx, snapshots);
  const differences = differencesAfter(after, file, snapshots[plan.index] as Snapshot);
  if (differences.length > 0) {
    throw new SchemaMismatchError(
      `The existing tables, converted from the layout of ${LAYOUTS[from]}, still differ from ${file.tag}; ` +
        `nothing was changed:\n${differences.map((d) => `- ${d}`).join("\n")}`,
      { migration: file.tag, differences },
    );
  }
  return { files: [...files.slice(0, plan.index + 1), ...pluginFiles], statements: plan.statements };
}
