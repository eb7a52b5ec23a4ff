import type { LiveTable } from "./introspect.js";
import { displayName, type Snapshot, type SnapshotColumn, type SnapshotTable, tableKey } from "./snapshot.js";

const ALIASES: Record<string, string> = {
  int: "integer",
  int4: "integer",
  serial: "integer",
  serial4: "integer",
  int8: "bigint",
  bigserial: "bigint",
  serial8: "bigint",
  int2: "smallint",
  smallserial: "smallint",
  serial2: "smallint",
  bool: "boolean",
  float8: "double precision",
  float4: "real",
  varchar: "character varying",
  char: "character",
  decimal: "numeric",
};

/**
 * drizzle-kit writes some types in their short SQL spelling; `format_type()` prints PostgreSQL's canonical
 * name. This maps the first to the second (`timestamp(3)` → `timestamp(3) without time zone`, `varchar(64)` →
 * `character varying(64)`, `serial` → `integer`, …).
 */
export function normaliseType(type: string): string {
  const spaced = type.trim().toLowerCase().replace(/\s+/g, " ").replace(/ \(/g, "(").replace(/, /g, ",");
  const arrays = /(\[\])*$/.exec(spaced)?.[0] ?? "";
  const bare = spaced.slice(0, spaced.length - arrays.length);
  const match = /^([a-z0-9_ ]+?)(\(\d+(?:,\d+)?\))?( with(?:out)? time zone)?$/.exec(bare);
  if (!match) return spaced;
  let [, base = "", size = "", zone = ""] = match;
  if (base === "timestamptz" || base === "timetz") {
    base = base.slice(0, -2);
    zone = " with time zone";
  }
  if (base === "timestamp" || base === "time") return `${base}${size}${zone || " without time zone"}${arrays}`;
  return `${ALIASES[base] ?? base}${size}${zone}${arrays}`;
}

/** Serial columns get a `nextval(…)` default that drizzle-kit does not record. */
const isSerial = (type: string) => /^(small|big)?serial[248]?$/i.test(type.trim());

/**
 * Brings a default expression to one spelling, for the snapshot's value (`gen_random_uuid()::text`, `false`,
 * `0`, `'x'`) and for `pg_get_expr()`'s (`(gen_random_uuid())::text`, `false`, `0`, `'x'::text`,
 * `'-1'::integer`): drops parentheses PostgreSQL adds around a function call before a cast, the cast PostgreSQL
 * adds to a string literal of the column's own text type, and the quotes around a negative or large number.
 */
export function normaliseDefault(value: string | number | boolean | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  let text = String(value).trim();
  for (;;) {
    const next = text.replace(/\(([A-Za-z_][\w.]*\([^()]*\))\)/g, "$1");
    if (next === text) break;
    text = next;
  }
  const quotedNumber = /^'(-?\d+(?:\.\d+)?)'::(?:integer|bigint|smallint|numeric|real|double precision)$/.exec(text);
  if (quotedNumber) return quotedNumber[1] ?? text;
  return text.replace(/^('(?:[^']|'')*')::(?:text|character varying|bpchar)$/, "$1");
}

const columnList = (columns: string[]) => `(${columns.join(", ")})`;
const unquote = (name: string) => (/^"(?:[^"]|"")*"$/.test(name) ? name.slice(1, -1).replaceAll('""', '"') : name);
const actions: Record<string, string> = {
  a: "no action",
  r: "restrict",
  c: "cascade",
  n: "set null",
  d: "set default",
};
const describeColumn = (type: string, notNull: boolean) => `${type}${notNull ? " NOT NULL" : ""}`;

function compareColumns(name: string, expected: SnapshotTable, live: LiveTable, out: string[]) {
  const liveColumns = new Map(live.columns.map((column) => [column.name, column]));
  for (const column of Object.values(expected.columns)) {
    const found = liveColumns.get(column.name);
    const type = normaliseType(column.type);
    if (!found) {
      out.push(`column ${name}.${column.name} is missing (expected ${describeColumn(type, column.notNull)})`);
      continue;
    }
    if (found.type !== type) out.push(`column ${name}.${column.name} has type ${found.type}, expected ${type}`);
    if (found.notNull !== column.notNull) {
      out.push(
        `column ${name}.${column.name} is ${found.notNull ? "NOT NULL" : "nullable"}, expected ${column.notNull ? "NOT NULL" : "nullable"}`,
      );
    }
    if (!isSerial(column.type) && !found.identity) {
      const want = normaliseDefault(column.default);
      const have = normaliseDefault(found.default);
      if (want !== have) {
        out.push(`column ${name}.${column.name} has default ${have ?? "(none)"}, expected ${want ?? "(none)"}`);
      }
    }
  }
  for (const column of live.columns) {
    if (!(column.name in expected.columns)) {
      out.push(`column ${name}.${column.name} is not expected (found ${describeColumn(column.type, column.notNull)})`);
    }
  }
}

/** The unique constraints a snapshot table expects, by name: its own `uniqueConstraints` and each column's `.unique()`. */
export function expectedUniques(table: SnapshotTable): Map<string, { columns: string[]; nullsNotDistinct: boolean }> {
  const uniques = new Map<string, { columns: string[]; nullsNotDistinct: boolean }>();
  for (const unique of Object.values(table.uniqueConstraints ?? {})) {
    uniques.set(unique.name, { columns: unique.columns, nullsNotDistinct: unique.nullsNotDistinct === true });
  }
  // Older snapshots record a column's own `.unique()` on the column itself.
  for (const column of Object.values(table.columns) as SnapshotColumn[]) {
    if (column.isUnique) {
      uniques.set(column.uniqueName ?? `${table.name}_${column.name}_unique`, {
        columns: [column.name],
        nullsNotDistinct: false,
      });
    }
  }
  return uniques;
}

function compareConstraints(name: string, expected: SnapshotTable, live: LiveTable, out: string[]) {
  const wantKey = [
    ...Object.values(expected.columns)
      .filter((column) => column.primaryKey)
      .map((column) => column.name),
    ...Object.values(expected.compositePrimaryKeys ?? {}).flatMap((key) => key.columns),
  ];
  const haveKey = live.constraints.find((constraint) => constraint.type === "p")?.columns ?? [];
  if (wantKey.join(",") !== haveKey.join(",")) {
    out.push(
      `table ${name} has primary key ${haveKey.length ? columnList(haveKey) : "(none)"}, expected ${wantKey.length ? columnList(wantKey) : "(none)"}`,
    );
  }

  const liveUniques = new Map(live.constraints.filter((c) => c.type === "u").map((c) => [c.name, c]));
  const wantUniques = expectedUniques(expected);
  for (const [constraint, want] of wantUniques) {
    const found = liveUniques.get(constraint);
    if (!found) {
      out.push(`unique constraint ${constraint} on ${name} ${columnList(want.columns)} is missing`);
      continue;
    }
    if (found.columns.join(",") !== want.columns.join(",")) {
      out.push(
        `unique constraint ${constraint} on ${name} covers ${columnList(found.columns)}, expected ${columnList(want.columns)}`,
      );
    }
    if (/NULLS NOT DISTINCT/i.test(found.definition) !== want.nullsNotDistinct) {
      out.push(
        `unique constraint ${constraint} on ${name} ${want.nullsNotDistinct ? "lacks" : "has"} NULLS NOT DISTINCT`,
      );
    }
  }
  for (const constraint of liveUniques.keys()) {
    if (!wantUniques.has(constraint)) out.push(`unique constraint ${constraint} on ${name} is not expected`);
  }

  const liveKeys = new Map(live.constraints.filter((c) => c.type === "f").map((c) => [c.name, c]));
  const wantKeys = Object.values(expected.foreignKeys ?? {});
  for (const key of wantKeys) {
    const want = `${displayName(`${key.schemaTo || "public"}.${key.tableTo}`)}${columnList(key.columnsTo)} on delete ${key.onDelete ?? "no action"} on update ${key.onUpdate ?? "no action"}`;
    const found = liveKeys.get(key.name);
    if (!found) {
      out.push(`foreign key ${key.name} on ${name} ${columnList(key.columnsFrom)} is missing`);
      continue;
    }
    const have = `${displayName(`${found.refSchema}.${found.refTable}`)}${columnList(found.refColumns)} on delete ${actions[found.onDelete ?? "a"]} on update ${actions[found.onUpdate ?? "a"]}`;
    if (found.columns.join(",") !== key.columnsFrom.join(",") || have !== want) {
      out.push(
        `foreign key ${key.name} on ${name} is ${columnList(found.columns)} → ${have}, expected ${columnList(key.columnsFrom)} → ${want}`,
      );
    }
  }
  for (const key of liveKeys.keys()) {
    if (!wantKeys.some((want) => want.name === key)) out.push(`foreign key ${key} on ${name} is not expected`);
  }

  const liveChecks = live.constraints.filter((c) => c.type === "c").map((c) => c.name);
  const wantChecks = Object.values(expected.checkConstraints ?? {}).map((check) => check.name);
  for (const check of wantChecks) {
    if (!liveChecks.includes(check)) out.push(`check constraint ${check} on ${name} is missing`);
  }
  for (const check of liveChecks) {
    if (!wantChecks.includes(check)) out.push(`check constraint ${check} on ${name} is not expected`);
  }
}

/**
 * Brings a partial index's condition to one spelling, for drizzle-kit's (`"session"."deleted_at" is null`,
 * `"t"."n" > 0 and ("t"."s" = 'x' or "t"."s" is null)`) and `pg_get_expr()`'s (`(deleted_at IS NULL)`,
 * `((n > 0) AND ((s = 'x'::text) OR (s IS NULL)))`): keywords in lower case, the index's own table name dropped
 * before a column, quotes dropped around lower-case names, the cast PostgreSQL adds to a string literal of a text
 * type dropped, parentheses and spacing ignored. String literals and quoted names that need their quotes are kept
 * as they are. Because parentheses are ignored, two conditions that differ only in how they are grouped compare
 * equal.
 */
export function normaliseCondition(condition: string, table: string): string {
  const tokens = condition.match(/'(?:[^']|'')*'|"(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_$]*|::|[^\s]/g) ?? [];
  const words = tokens
    .map((token) => {
      if (token.startsWith("'")) return token;
      if (token.startsWith('"')) {
        const name = token.slice(1, -1).replaceAll('""', '"');
        return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : token;
      }
      return token.toLowerCase();
    })
    .filter((token) => token !== "(" && token !== ")");
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    const quotedTable = /^[a-z_][a-z0-9_$]*$/.test(table) ? table : `"${table.replaceAll('"', '""')}"`;
    if (word === quotedTable && words[i + 1] === ".") {
      i++;
      continue;
    }
    if (word === "::" && out.at(-1)?.startsWith("'")) {
      const type = words.slice(i + 1, i + 3).join(" ");
      if (type === "character varying") {
        i += 2;
        continue;
      }
      if (words[i + 1] === "text" || words[i + 1] === "bpchar" || words[i + 1] === "varchar") {
        i++;
        continue;
      }
    }
    out.push(word);
  }
  return out.join(" ");
}

function compareIndexes(name: string, expected: SnapshotTable, live: LiveTable, out: string[]) {
  const liveIndexes = new Map(live.indexes.map((index) => [index.name, index]));
  const wantIndexes = Object.values(expected.indexes ?? {});
  for (const index of wantIndexes) {
    const found = liveIndexes.get(index.name);
    const wantColumns = index.columns.map((column) => column.expression);
    if (!found) {
      out.push(`index ${index.name} on ${name} ${columnList(wantColumns)} is missing`);
      continue;
    }
    const haveColumns = found.columns.map(unquote);
    if (haveColumns.join(",") !== wantColumns.join(",")) {
      out.push(`index ${index.name} on ${name} covers ${columnList(haveColumns)}, expected ${columnList(wantColumns)}`);
    }
    if (found.unique !== index.isUnique) {
      out.push(`index ${index.name} on ${name} is ${found.unique ? "unique" : "not unique"}, expected the opposite`);
    }
    if (found.method !== (index.method ?? "btree")) {
      out.push(`index ${index.name} on ${name} uses ${found.method}, expected ${index.method ?? "btree"}`);
    }
    const want = index.where ? normaliseCondition(index.where, expected.name) : null;
    const have = found.where ? normaliseCondition(found.where, expected.name) : null;
    if (want !== have) {
      out.push(
        `index ${index.name} on ${name} ${found.where ? `has the condition where ${found.where}` : "has no condition"}, expected ${index.where ? `where ${index.where}` : "no condition"}`,
      );
    }
  }
  for (const index of live.indexes) {
    if (!wantIndexes.some((want) => want.name === index.name)) {
      out.push(`index ${index.name} on ${name} ${columnList(index.columns)} is not expected`);
    }
  }
}

/**
 * Lists every way the live tables differ from a drizzle-kit snapshot: missing tables; per table missing or
 * unexpected columns, column types, nullability and defaults, the primary key, unique constraints, foreign keys
 * (target and `ON DELETE`/`ON UPDATE`), check constraints (by name) and indexes (columns, uniqueness, method,
 * partial-index condition). Tables outside the snapshot are not looked at; what is not compared is listed on
 * `checkSchema()`. Returns readable sentences; empty when nothing differs.
 */
export function compareWithSnapshot(live: Map<string, LiveTable>, snapshot: Snapshot): string[] {
  const out: string[] = [];
  for (const expected of Object.values(snapshot.tables)) {
    const key = tableKey(expected);
    const found = live.get(key);
    if (!found) {
      out.push(`table ${displayName(key)} is missing`);
      continue;
    }
    compareColumns(displayName(key), expected, found, out);
    compareConstraints(displayName(key), expected, found, out);
    compareIndexes(displayName(key), expected, found, out);
  }
  return out;
}
