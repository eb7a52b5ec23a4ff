import type { AnyPgDatabase } from "../shared/database.js";
import { compareWithSnapshot } from "./compare.js";
import { MigrationError, SchemaMismatchError } from "./errors.js";
import { introspect, type LiveTable } from "./introspect.js";
import type { MigrationFile } from "./journal.js";
import { DEFAULT_PG_SCHEMA, placeSnapshot } from "./placement.js";
import { displayName, hasSnapshot, readSnapshot, type Snapshot, tableKey } from "./snapshot.js";

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
