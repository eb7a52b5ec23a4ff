import type { PluginName } from "../schema/define.js";
import type { AnyPgDatabase } from "../shared/database.js";
import { compareWithSnapshot } from "./compare.js";
import { MigrationError } from "./errors.js";
import { migrationsFolderOf } from "./folder.js";
import { withHostColumns } from "./host-columns.js";
import { introspect } from "./introspect.js";
import { checkPgSchema, placeSnapshot } from "./placement.js";
import { expectedSnapshot, pluginsOption } from "./plugins.js";
import { tableKey } from "./snapshot.js";

/** Which schema `checkSchema()` compares the database with. */
export interface CheckSchemaOptions {
  /**
   * Folder of drizzle-kit migrations whose newest snapshot (`meta/NNNN_snapshot.json`) describes the expected
   * tables. Defaults to the package's own `migrationsFolder`.
   */
  migrationsFolder?: string;
  /**
   * Better Auth plugins whose tables and columns are expected too (the names `defineAuthSchema()` takes), as
   * `migrate(db, { plugins })` made them. Default: `schema.plugins` when `schema` is given, none otherwise.
   */
  plugins?: readonly PluginName[];
  /**
   * The host's `defineAuthSchema()` result: its plugins are expected (unless `plugins` says otherwise), and so are
   * the host's own columns (`additionalFields`): present, with their type, nullability, default and column-level
   * unique constraint.
   */
  schema?: HostSchema;
  /**
   * The PostgreSQL schema the package's tables are expected in, as given to `migrate()`. Defaults to
   * `schema.pgSchema` when `schema` is given, else `"public"`.
   */
  pgSchema?: string;
}

/** What `checkSchema()` reads from a `defineAuthSchema()` result. */
export interface HostSchema {
  plugins: readonly PluginName[];
  authSchema: object;
  hostColumns: { readonly [model: string]: readonly string[] | undefined };
  /** The PostgreSQL schema of its tables, `undefined` for `public`. */
  pgSchema?: string | undefined;
}

/**
 * Compares the live database with the tables the package expects after its newest migration (drizzle-kit's
 * snapshot of it, merged with the newest snapshot of each plugin in `options.plugins`, plus the host's own
 * columns of `options.schema`), reading PostgreSQL's catalogs through the host's drizzle database. Changes nothing.
 *
 * Compares, for each of the package's tables: that it exists; column names, types (`format_type()`), nullability
 * and defaults; the primary key; unique constraints (columns, `NULLS NOT DISTINCT`); foreign keys with their
 * target and `ON DELETE`/`ON UPDATE`; check constraints (by name); indexes that back no constraint (columns or
 * expressions, uniqueness, method, and the `WHERE` condition of a partial index). Spelling differences PostgreSQL
 * introduces are ignored (`timestamp` is `timestamp without time zone`; `(gen_random_uuid())::text` is
 * `gen_random_uuid()::text`; `(deleted_at IS NULL)` is `"session"."deleted_at" is null`, parentheses ignored).
 *
 * Does not compare: table storage parameters (`rate_limit`'s `fillfactor = 70` from migration 0003 is a
 * performance setting that drizzle-kit's snapshots do not record, and tables made by the host's own drizzle-kit
 * lack it); the expression of a check constraint (only its name); an index's sort order, `NULLS` placement,
 * operator classes and storage parameters; a constraint's deferrability; column collations, comments, identity
 * and sequence options; row-level security and policies, triggers, grants, enums, views. The host's other
 * tables are not looked at.
 *
 * @returns readable sentences, one per difference (for example
 *   `column session.user_id has type integer, expected text`); an empty array when the database matches.
 * With `pgSchema`, the tables are looked for in that schema, their foreign keys expected to point there (a
 * difference names the table `auth.user`).
 *
 * @throws {TypeError} when `options` is not an object, `migrationsFolder` is not a non-empty string, `plugins` is
 *   not an array of supported plugin names, `schema` is not a `defineAuthSchema()` result, or `pgSchema` is not a
 *   schema name PostgreSQL keeps as given (as `migrate()` refuses it).
 * @throws {MigrationError} when the migrations folder or snapshot cannot be read or is in a drizzle-kit format
 *   other than version 7 for PostgreSQL, or the catalog query fails (the driver's error as `cause`).
 */
export async function checkSchema(db: AnyPgDatabase, options: CheckSchemaOptions = {}): Promise<string[]> {
  const folder = migrationsFolderOf(options, "checkSchema");
  const host = options.schema;
  if (host !== undefined && (typeof host !== "object" || host === null || !("hostColumns" in host))) {
    throw new TypeError("@be-monorepo/db: `schema` must be what defineAuthSchema() returned");
  }
  const plugins = pluginsOption(options.plugins ?? host?.plugins);
  const pgSchema = checkPgSchema(options.pgSchema ?? host?.pgSchema);
  const core = expectedSnapshot(folder, plugins);
  if (!core) return [];
  const expected = placeSnapshot(core, pgSchema);
  const snapshot = host ? withHostColumns(expected, host) : expected;
  let live: Awaited<ReturnType<typeof introspect>>;
  try {
    live = await introspect(db, Object.values(snapshot.tables).map(tableKey));
  } catch (cause) {
    throw new MigrationError("Cannot read the database's tables from the PostgreSQL catalogs", { cause });
  }
  return compareWithSnapshot(live, snapshot);
}
