import { expectedUniques, normaliseCondition, normaliseDefault, normaliseType } from "./compare.js";
import type { LiveColumn, LiveTable } from "./introspect.js";
import { displayName, type SnapshotColumn, type SnapshotTable, tableKey } from "./snapshot.js";

/**
 * The layouts `migrate()` can convert with `adoptFrom`: `"better-auth-cli"`, the drizzle schema that Better Auth's
 * CLI generates (`npx @better-auth/cli generate` with the drizzle adapter for PostgreSQL), created by drizzle-kit,
 * with snake_case column names (the CLI's default) or camelCase ones (`drizzleAdapter(db, { camelCase: true })`).
 */
export type AdoptFrom = "better-auth-cli";

/** The values `adoptFrom` accepts. */
export const ADOPT_FROM: readonly AdoptFrom[] = ["better-auth-cli"];

/**
 * A camelCase name in snake_case, as Better Auth's CLI spells drizzle column and table names by default:
 * `emailVerified` → `email_verified`, `rateLimit` → `rate_limit`; a snake_case name is unchanged.
 */
export const snakeCase = (name: string) =>
  name
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/([a-z\d])([A-Z])/g, "$1_$2")
    .toLowerCase();

/** A snake_case name in camelCase, as Better Auth names fields and models: `rate_limit` → `rateLimit`. */
export const camelCase = (name: string) => name.replace(/_([a-z\d])/g, (_, letter: string) => letter.toUpperCase());

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
const unquote = (name: string) => (/^"(?:[^"]|"")*"$/.test(name) ? name.slice(1, -1).replaceAll('""', '"') : name);
const columnList = (columns: string[]) => `(${columns.join(", ")})`;
const ACTIONS: Record<string, string> = {
  a: "no action",
  r: "restrict",
  c: "cascade",
  n: "set null",
  d: "set default",
};

/** Integer types and the wider ones every value of theirs fits in (`SET DATA TYPE` keeps each value). */
const WIDER: Record<string, string[]> = { smallint: ["integer", "bigint"], integer: ["bigint"] };

/** What converting one table takes: the statements, or why it cannot be converted. */
export interface TablePlan {
  statements: string[];
  problems: string[];
}

/**
 * Plans the conversion of one live table into the shape drizzle-kit's snapshot records for `target`, keeping
 * every row. Only changes that keep every row and every value are planned:
 *
 * - the table and its columns renamed from camelCase or plural names to the expected snake_case (`"emailVerified"`
 *   → `email_verified`, `"rateLimit"` → `rate_limit`, `users` → `user`); `tableName` maps a live table name to
 *   the expected one (for the targets of foreign keys);
 * - `timestamp` (without time zone) → `timestamptz`, reading the stored wall-clock time as UTC
 *   (`USING col AT TIME ZONE 'UTC'`), which is how drizzle and Better Auth wrote and read it: the same instants;
 *   `smallint`/`integer` → a wider integer type;
 * - a unique index where a unique constraint on the same columns is expected: the constraint takes it over;
 * - defaults set, changed or dropped; `NOT NULL` dropped where the expected column is nullable;
 * - missing columns added when they are nullable or have a default (`deleted_at`);
 * - constraints and indexes with the expected definition renamed to the expected names; missing non-unique
 *   indexes created; a non-unique index dropped when `later` (the same table after the newest migration) has it,
 *   since a later migration then creates it again under its own name; a unique index dropped when a unique
 *   constraint on the same columns stays (Better Auth's CLI writes both for a unique, indexed field).
 *
 * Anything else is a problem, worded like `checkSchema()`'s differences: an unexpected column, another type, a
 * nullable column expected `NOT NULL`, a missing `NOT NULL` column without default, another primary key, a
 * missing or unexpected unique constraint, unique index, foreign key or check constraint, an unexpected index.
 */
export function planTable(
  target: SnapshotTable,
  live: LiveTable,
  later: SnapshotTable | undefined,
  tableName: (live: string) => string = snakeCase,
): TablePlan {
  const statements: string[] = [];
  const problems: string[] = [];
  const name = displayName(tableKey(target));
  const table = `${ident(target.schema || "public")}.${ident(target.name)}`;
  if (live.name !== target.name)
    statements.push(`ALTER TABLE ${ident(live.schema)}.${ident(live.name)} RENAME TO ${ident(target.name)}`);

  // Live column name → expected column name.
  const renamed = new Map<string, string>();
  const byTarget = new Map<string, LiveColumn>();
  const liveNames = new Set(live.columns.map((column) => column.name));
  for (const column of live.columns) {
    const snake = snakeCase(column.name);
    const to =
      column.name in target.columns
        ? column.name
        : snake in target.columns && !liveNames.has(snake)
          ? snake
          : undefined;
    if (to === undefined || byTarget.has(to)) {
      problems.push(
        `column ${name}.${column.name} is not expected (found ${column.type}${column.notNull ? " NOT NULL" : ""})`,
      );
      continue;
    }
    renamed.set(column.name, to);
    byTarget.set(to, column);
    if (to !== column.name) statements.push(`ALTER TABLE ${table} RENAME COLUMN ${ident(column.name)} TO ${ident(to)}`);
  }
  const mapped = (columns: string[]) => columns.map((column) => renamed.get(column) ?? column);

  const added: string[] = [];
  for (const column of Object.values(target.columns) as SnapshotColumn[]) {
    const type = normaliseType(column.type);
    const found = byTarget.get(column.name);
    const want = normaliseDefault(column.default);
    const setDefault = `ALTER TABLE ${table} ALTER COLUMN ${ident(column.name)} SET DEFAULT ${String(column.default)}`;
    if (!found) {
      if (column.notNull && column.default === undefined) {
        problems.push(
          `column ${name}.${column.name} is missing (expected ${type} NOT NULL, and it has no default to fill the existing rows)`,
        );
      } else {
        added.push(
          `ALTER TABLE ${table} ADD COLUMN ${ident(column.name)} ${column.type}${column.default === undefined ? "" : ` DEFAULT ${String(column.default)}`}${column.notNull ? " NOT NULL" : ""}`,
        );
      }
      continue;
    }
    const have = normaliseDefault(found.default);
    const retype = found.type !== type;
    const toInstant = retype && found.type.replace(" without time zone", " with time zone") === type;
    if (retype && !toInstant && !WIDER[found.type]?.includes(type)) {
      problems.push(`column ${name}.${column.name} has type ${found.type}, expected ${type}`);
      continue;
    }
    if (!found.notNull && column.notNull) {
      problems.push(`column ${name}.${column.name} is nullable, expected NOT NULL`);
      continue;
    }
    if (have !== null && (retype || have !== want)) {
      statements.push(`ALTER TABLE ${table} ALTER COLUMN ${ident(column.name)} DROP DEFAULT`);
    }
    if (retype) {
      statements.push(
        `ALTER TABLE ${table} ALTER COLUMN ${ident(column.name)} SET DATA TYPE ${column.type}${toInstant ? ` USING ${ident(column.name)} AT TIME ZONE 'UTC'` : ""}`,
      );
    }
    if (found.notNull && !column.notNull)
      statements.push(`ALTER TABLE ${table} ALTER COLUMN ${ident(column.name)} DROP NOT NULL`);
    if (want !== null && (retype || have !== want)) statements.push(setDefault);
  }
  statements.push(...added);

  const wantKey = [
    ...Object.values(target.columns)
      .filter((column) => column.primaryKey)
      .map((column) => column.name),
    ...Object.values(target.compositePrimaryKeys ?? {}).flatMap((key) => key.columns),
  ];
  const haveKey = mapped(live.constraints.find((constraint) => constraint.type === "p")?.columns ?? []);
  if (wantKey.join(",") !== haveKey.join(",")) {
    problems.push(
      `table ${name} has primary key ${haveKey.length ? columnList(haveKey) : "(none)"}, expected ${wantKey.length ? columnList(wantKey) : "(none)"}`,
    );
  }

  const renameConstraint = (from: string, to: string) => {
    if (from !== to) statements.push(`ALTER TABLE ${table} RENAME CONSTRAINT ${ident(from)} TO ${ident(to)}`);
  };
  const liveUniques = live.constraints.filter((constraint) => constraint.type === "u");
  /** Unique indexes taken over by a unique constraint. */
  const takenIndexes = new Set<string>();
  const matchedUniques = new Set<string>();
  for (const [constraint, want] of expectedUniques(target)) {
    const found = liveUniques.find(
      (unique) =>
        !matchedUniques.has(unique.name) &&
        mapped(unique.columns).join(",") === want.columns.join(",") &&
        /NULLS NOT DISTINCT/i.test(unique.definition) === want.nullsNotDistinct,
    );
    if (!found) {
      // Better Auth's CLI declares some unique fields as a unique index (`organization_slug_uidx`): the constraint
      // takes the index over (`UNIQUE USING INDEX`, which renames it), so nothing is checked or built again.
      const index = want.nullsNotDistinct
        ? undefined
        : live.indexes.find(
            (candidate) =>
              !takenIndexes.has(candidate.name) &&
              candidate.unique &&
              candidate.method === "btree" &&
              candidate.where === null &&
              mapped(candidate.columns.map(unquote)).join(",") === want.columns.join(","),
          );
      if (index) {
        takenIndexes.add(index.name);
        statements.push(
          `ALTER TABLE ${table} ADD CONSTRAINT ${ident(constraint)} UNIQUE USING INDEX ${ident(index.name)}`,
        );
        continue;
      }
      problems.push(`unique constraint ${constraint} on ${name} ${columnList(want.columns)} is missing`);
      continue;
    }
    matchedUniques.add(found.name);
    renameConstraint(found.name, constraint);
  }
  for (const unique of liveUniques) {
    if (!matchedUniques.has(unique.name)) problems.push(`unique constraint ${unique.name} on ${name} is not expected`);
  }

  const liveKeys = live.constraints.filter((constraint) => constraint.type === "f");
  const matchedKeys = new Set<string>();
  for (const key of Object.values(target.foreignKeys ?? {})) {
    const found = liveKeys.find(
      (candidate) =>
        !matchedKeys.has(candidate.name) &&
        mapped(candidate.columns).join(",") === key.columnsFrom.join(",") &&
        candidate.refSchema === (key.schemaTo || "public") &&
        tableName(candidate.refTable ?? "") === key.tableTo &&
        candidate.refColumns.map(snakeCase).join(",") === key.columnsTo.join(",") &&
        ACTIONS[candidate.onDelete ?? "a"] === (key.onDelete ?? "no action") &&
        ACTIONS[candidate.onUpdate ?? "a"] === (key.onUpdate ?? "no action"),
    );
    if (!found) {
      problems.push(
        `foreign key ${key.name} on ${name} ${columnList(key.columnsFrom)} → ${key.tableTo}${columnList(key.columnsTo)} on delete ${key.onDelete ?? "no action"} is missing`,
      );
      continue;
    }
    matchedKeys.add(found.name);
    renameConstraint(found.name, key.name);
  }
  for (const key of liveKeys) {
    if (!matchedKeys.has(key.name)) problems.push(`foreign key ${key.name} on ${name} is not expected`);
  }

  const liveChecks = live.constraints.filter((c) => c.type === "c").map((c) => c.name);
  const wantChecks = Object.values(target.checkConstraints ?? {}).map((check) => check.name);
  for (const check of wantChecks) {
    if (!liveChecks.includes(check)) problems.push(`check constraint ${check} on ${name} is missing`);
  }
  for (const check of liveChecks) {
    if (!wantChecks.includes(check)) problems.push(`check constraint ${check} on ${name} is not expected`);
  }

  type WantIndex = SnapshotTable["indexes"][string];
  const sameIndex = (index: LiveTable["indexes"][number], want: WantIndex) =>
    mapped(index.columns.map(unquote)).join(",") === want.columns.map((column) => column.expression).join(",") &&
    index.unique === want.isUnique &&
    index.method === (want.method ?? "btree") &&
    (index.where ? normaliseCondition(index.where, target.name) : null) ===
      (want.where ? normaliseCondition(want.where, target.name) : null);
  const matchedIndexes = new Set<string>(takenIndexes);
  for (const want of Object.values(target.indexes ?? {})) {
    const found = live.indexes.find((index) => !matchedIndexes.has(index.name) && sameIndex(index, want));
    if (found) {
      matchedIndexes.add(found.name);
      if (found.name !== want.name)
        statements.push(`ALTER INDEX ${ident(live.schema)}.${ident(found.name)} RENAME TO ${ident(want.name)}`);
      continue;
    }
    const columns = want.columns.map((column) => (column.isExpression ? column.expression : ident(column.expression)));
    if (want.isUnique) {
      problems.push(
        `index ${want.name} on ${name} ${columnList(columns)} is missing (a unique index is not created on existing rows)`,
      );
      continue;
    }
    statements.push(
      `CREATE INDEX ${ident(want.name)} ON ${table} USING ${want.method ?? "btree"} (${columns.join(", ")})${want.where ? ` WHERE ${want.where}` : ""}`,
    );
  }
  for (const index of live.indexes) {
    if (matchedIndexes.has(index.name)) continue;
    const recreated = !index.unique && Object.values(later?.indexes ?? {}).some((want) => sameIndex(index, want));
    // Better Auth's CLI writes a unique field that is also indexed twice: `.unique()` and a unique index on it.
    const redundant =
      index.unique &&
      index.where === null &&
      [...expectedUniques(target).values()].some(
        (want) => !want.nullsNotDistinct && mapped(index.columns.map(unquote)).join(",") === want.columns.join(","),
      ) &&
      liveUniques.some((unique) => mapped(unique.columns).join(",") === mapped(index.columns.map(unquote)).join(","));
    if (recreated || redundant) statements.push(`DROP INDEX ${ident(live.schema)}.${ident(index.name)}`);
    else problems.push(`index ${index.name} on ${name} ${columnList(index.columns)} is not expected`);
  }
  return { statements, problems };
}
