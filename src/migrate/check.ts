import type { AnyPgDatabase } from "../shared/database.js";
import { compareWithSnapshot } from "./compare.js";
import { MigrationError } from "./errors.js";
import { migrationsFolder as shippedFolder } from "./folder.js";
import { introspect } from "./introspect.js";
import { readMigrationFolder } from "./journal.js";
import { readSnapshot, tableKey } from "./snapshot.js";

/** Which schema `checkSchema()` compares the database with. */
export interface CheckSchemaOptions {
  /**
   * Folder of drizzle-kit migrations whose newest snapshot (`meta/NNNN_snapshot.json`) describes the expected
   * tables. Defaults to the package's own `migrationsFolder`.
   */
  migrationsFolder?: string;
}

/**
 * Compares the live database with the tables the package expects after its newest migration (drizzle-kit's
 * snapshot of it), reading PostgreSQL's catalogs through the host's drizzle database. Changes nothing.
 *
 * Looks at, for each of the package's tables: that it exists; column names, types (`format_type()`), nullability
 * and defaults; the primary key; unique constraints; foreign keys with their `ON DELETE`/`ON UPDATE`; check
 * constraints (by name); indexes (columns, uniqueness, method). Spelling differences PostgreSQL introduces are
 * ignored (`timestamp` is `timestamp without time zone`; `(gen_random_uuid())::text` is
 * `gen_random_uuid()::text`). The host's other tables are not looked at.
 *
 * @returns readable sentences, one per difference (for example
 *   `column session.user_id has type integer, expected text`); an empty array when the database matches.
 * @throws {MigrationError} when the migrations folder or snapshot cannot be read, or the catalog query fails
 *   (the driver's error as `cause`).
 */
export async function checkSchema(db: AnyPgDatabase, options: CheckSchemaOptions = {}): Promise<string[]> {
  const folder = options.migrationsFolder ?? shippedFolder;
  const newest = readMigrationFolder(folder).at(-1);
  if (!newest) return [];
  const snapshot = readSnapshot(folder, newest.idx);
  let live: Awaited<ReturnType<typeof introspect>>;
  try {
    live = await introspect(db, Object.values(snapshot.tables).map(tableKey));
  } catch (cause) {
    throw new MigrationError("Cannot read the database's tables from the PostgreSQL catalogs", { cause });
  }
  return compareWithSnapshot(live, snapshot);
}
