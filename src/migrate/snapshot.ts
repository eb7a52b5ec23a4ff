import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { MigrationError } from "./errors.js";
import { checkFormat } from "./journal.js";

/** A column as drizzle-kit records it in `meta/NNNN_snapshot.json` (format version 7). */
export interface SnapshotColumn {
  name: string;
  type: string;
  primaryKey: boolean;
  notNull: boolean;
  default?: string | number | boolean;
  isUnique?: boolean;
  uniqueName?: string;
}

/** A table as drizzle-kit records it in a snapshot. `schema` is `""` for `public`. */
export interface SnapshotTable {
  name: string;
  schema: string;
  columns: Record<string, SnapshotColumn>;
  indexes: Record<
    string,
    {
      name: string;
      columns: { expression: string; isExpression: boolean }[];
      isUnique: boolean;
      method?: string;
      /** The condition of a partial index, as drizzle-kit prints it (`"session"."deleted_at" is null`). */
      where?: string;
    }
  >;
  foreignKeys: Record<
    string,
    {
      name: string;
      tableTo: string;
      schemaTo?: string;
      columnsFrom: string[];
      columnsTo: string[];
      onDelete?: string;
      onUpdate?: string;
    }
  >;
  compositePrimaryKeys: Record<string, { name: string; columns: string[] }>;
  uniqueConstraints: Record<string, { name: string; columns: string[]; nullsNotDistinct?: boolean }>;
  checkConstraints?: Record<string, { name: string; value: string }>;
}

/** The part of a drizzle-kit snapshot the schema check reads. */
export interface Snapshot {
  version: string;
  dialect: string;
  tables: Record<string, SnapshotTable>;
}

/** Where drizzle-kit keeps the snapshot of migration number `idx`: `meta/0002_snapshot.json` for idx 2. */
const snapshotFile = (folder: string, idx: number) =>
  join(folder, "meta", `${String(idx).padStart(4, "0")}_snapshot.json`);

/** Whether drizzle-kit wrote a snapshot next to migration number `idx` (folders made by hand may have none). */
export const hasSnapshot = (folder: string, idx: number) => existsSync(snapshotFile(folder, idx));

/**
 * Reads the snapshot drizzle-kit wrote next to migration number `idx` (`meta/0002_snapshot.json` for idx 2):
 * the whole expected schema after that migration.
 * @throws {MigrationError} when the file is missing or is not JSON, or has a `version` / `dialect` other than the
 *   supported drizzle-kit format (version 7, postgresql).
 */
export function readSnapshot(folder: string, idx: number): Snapshot {
  const file = snapshotFile(folder, idx);
  let snapshot: Snapshot;
  try {
    snapshot = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
  } catch (cause) {
    throw new MigrationError(`Cannot read the drizzle-kit snapshot ${file}`, { cause });
  }
  if (typeof snapshot !== "object" || snapshot === null) {
    throw new MigrationError(`The drizzle-kit snapshot ${file} is not a snapshot`);
  }
  checkFormat(`The drizzle-kit snapshot ${file}`, snapshot);
  if (typeof snapshot.tables !== "object" || snapshot.tables === null) {
    throw new MigrationError(`The drizzle-kit snapshot ${file} has no tables`);
  }
  return snapshot;
}

/** `schema.table` of a snapshot table, with drizzle-kit's `""` read as `public`. */
export const tableKey = (table: { schema: string; name: string }) => `${table.schema || "public"}.${table.name}`;

/** How differences name a table: `user` for `public.user`, `auth.user` otherwise. */
export const displayName = (key: string) => (key.startsWith("public.") ? key.slice("public.".length) : key);
