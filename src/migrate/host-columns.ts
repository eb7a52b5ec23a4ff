import { is, SQL } from "drizzle-orm";
import { getTableConfig, PgDialect, type PgTable } from "drizzle-orm/pg-core";
import type { HostSchema } from "./check.js";
import type { Snapshot, SnapshotColumn } from "./snapshot.js";

const dialect = new PgDialect();

/** A column default as drizzle-kit writes it in a snapshot: SQL text, a quoted string, a number or a boolean. */
function snapshotDefault(value: unknown): string | number | boolean | undefined {
  if (value === undefined) return undefined;
  if (is(value, SQL)) return dialect.sqlToQuery(value).sql;
  if (typeof value === "string") return `'${value.replaceAll("'", "''")}'`;
  if (typeof value === "number" || typeof value === "boolean") return value;
  if (value instanceof Date) return `'${value.toISOString()}'`;
  return `'${JSON.stringify(value).replaceAll("'", "''")}'`;
}

/**
 * `snapshot` plus the host's own columns (`defineAuthSchema({ additionalFields })`, listed in `hostColumns`): each
 * with its SQL type, nullability, database default and column-level unique constraint, on the table of the same
 * name. Host columns of a table the snapshot does not have are ignored.
 */
export function withHostColumns(snapshot: Snapshot, host: HostSchema): Snapshot {
  const tables = { ...snapshot.tables };
  for (const [model, names] of Object.entries(host.hostColumns)) {
    const table = (host.authSchema as Record<string, PgTable | undefined>)[model];
    if (!table || !names) continue;
    const config = getTableConfig(table);
    const key = Object.keys(tables).find((k) => tables[k]?.name === config.name);
    const expected = key ? tables[key] : undefined;
    if (!key || !expected) continue;
    const columns = { ...expected.columns };
    const uniqueConstraints = { ...expected.uniqueConstraints };
    for (const column of config.columns.filter((c) => names.includes(c.name))) {
      const entry: SnapshotColumn = {
        name: column.name,
        type: column.getSQLType(),
        primaryKey: column.primary,
        notNull: column.notNull,
      };
      const value = snapshotDefault(column.default);
      if (value !== undefined) entry.default = value;
      columns[column.name] = entry;
      if (column.isUnique) {
        const name = column.uniqueName ?? `${config.name}_${column.name}_unique`;
        uniqueConstraints[name] = {
          name,
          columns: [column.name],
          nullsNotDistinct: column.uniqueType === "not distinct",
        };
      }
    }
    tables[key] = { ...expected, columns, uniqueConstraints };
  }
  return { ...snapshot, tables };
}
