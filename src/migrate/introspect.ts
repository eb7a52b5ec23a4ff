import { type SQL, sql } from "drizzle-orm";
import type { AnyPgDatabase } from "../shared/database.js";
import { rowsOf } from "../shared/rows.js";

/** A live column, read from `pg_attribute` / `pg_attrdef`. */
export interface LiveColumn {
  name: string;
  /** `format_type()` of the column, for example `"timestamp with time zone"`. */
  type: string;
  notNull: boolean;
  /** `pg_get_expr()` of the default, for example `"(gen_random_uuid())::text"`, or `null` when none. */
  default: string | null;
  /** `true` for `GENERATED … AS IDENTITY` columns. */
  identity: boolean;
}

/** A live constraint (`p` primary key, `u` unique, `f` foreign key, `c` check), read from `pg_constraint`. */
export interface LiveConstraint {
  name: string;
  type: "p" | "u" | "f" | "c";
  columns: string[];
  refSchema: string | null;
  refTable: string | null;
  refColumns: string[];
  /** `pg_constraint.confdeltype` / `confupdtype`: `a` no action, `r` restrict, `c` cascade, `n` set null, `d` set default. */
  onDelete: string | null;
  onUpdate: string | null;
  /** `pg_get_constraintdef()`, for example `"UNIQUE NULLS NOT DISTINCT (key)"`. */
  definition: string;
}

/** A live index that does not back a constraint, read from `pg_index`. */
export interface LiveIndex {
  name: string;
  unique: boolean;
  /** Access method (`btree`, `gin`, …). */
  method: string;
  /** Each key column's name, or its expression, as `pg_get_indexdef(index, n, true)` prints it. */
  columns: string[];
  /** `WHERE` predicate of a partial index, or `null`. */
  where: string | null;
}

/** One live table. */
export interface LiveTable {
  schema: string;
  name: string;
  columns: LiveColumn[];
  constraints: LiveConstraint[];
  indexes: LiveIndex[];
}

type Row = Record<string, unknown>;

/** JSON columns come back parsed from every driver; a driver that leaves them as text is handled too. */
const list = (value: unknown): string[] => (typeof value === "string" ? JSON.parse(value) : (value ?? [])) as string[];

const bool = (value: unknown) => value === true || value === "t" || value === "true";

/**
 * Reads tables, columns, constraints and indexes of the given tables (`schema.table` keys) from the PostgreSQL
 * catalogs, through the host's drizzle database. Tables that do not exist are simply absent from the answer.
 * Works on PostgreSQL 11 and later and on PGlite.
 */
export async function introspect(db: AnyPgDatabase, keys: string[]): Promise<Map<string, LiveTable>> {
  const tables = new Map<string, LiveTable>();
  if (keys.length === 0) return tables;
  const wanted: SQL = sql`(n.nspname || '.' || c.relname) in (${sql.join(
    keys.map((key) => sql`${key}`),
    sql`, `,
  )})`;

  const columns = rowsOf(
    await db.execute(sql`
      select n.nspname as schema, c.relname as table, a.attname as name,
        format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as not_null,
        pg_get_expr(d.adbin, d.adrelid) as default_expr, a.attidentity <> '' as identity
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      left join pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
      where c.relkind in ('r', 'p') and ${wanted}
      order by n.nspname, c.relname, a.attnum`),
  );
  const table = (row: Row): LiveTable => {
    const key = `${row.schema}.${row.table}`;
    let found = tables.get(key);
    if (!found) {
      found = { schema: String(row.schema), name: String(row.table), columns: [], constraints: [], indexes: [] };
      tables.set(key, found);
    }
    return found;
  };
  for (const row of columns) {
    table(row).columns.push({
      name: String(row.name),
      type: String(row.type),
      notNull: bool(row.not_null),
      default: row.default_expr == null ? null : String(row.default_expr),
      identity: bool(row.identity),
    });
  }
  if (tables.size === 0) return tables;

  const attnames = (keysColumn: string, relColumn: string) =>
    sql.raw(`to_json(array(select att.attname::text from unnest(con.${keysColumn}) with ordinality k(num, ord)
      join pg_attribute att on att.attrelid = con.${relColumn} and att.attnum = k.num order by k.ord))`);
  const constraints = rowsOf(
    await db.execute(sql`
      select n.nspname as schema, c.relname as table, con.conname as name, con.contype as type,
        ${attnames("conkey", "conrelid")} as columns,
        fn.nspname as ref_schema, fc.relname as ref_table,
        ${attnames("confkey", "confrelid")} as ref_columns,
        nullif(con.confdeltype, ' ') as on_delete, nullif(con.confupdtype, ' ') as on_update,
        pg_get_constraintdef(con.oid) as definition
      from pg_constraint con
      join pg_class c on c.oid = con.conrelid
      join pg_namespace n on n.oid = c.relnamespace
      left join pg_class fc on fc.oid = con.confrelid
      left join pg_namespace fn on fn.oid = fc.relnamespace
      where con.contype in ('p', 'u', 'f', 'c') and ${wanted}
      order by con.conname`),
  );
  for (const row of constraints) {
    tables.get(`${row.schema}.${row.table}`)?.constraints.push({
      name: String(row.name),
      type: String(row.type) as LiveConstraint["type"],
      columns: list(row.columns),
      refSchema: row.ref_schema == null ? null : String(row.ref_schema),
      refTable: row.ref_table == null ? null : String(row.ref_table),
      refColumns: list(row.ref_columns),
      onDelete: row.on_delete == null ? null : String(row.on_delete),
      onUpdate: row.on_update == null ? null : String(row.on_update),
      definition: String(row.definition),
    });
  }

  const indexes = rowsOf(
    await db.execute(sql`
      select n.nspname as schema, c.relname as table, ic.relname as name, i.indisunique as is_unique,
        am.amname as method, pg_get_expr(i.indpred, i.indrelid) as predicate,
        to_json(array(select pg_get_indexdef(i.indexrelid, k, true) from generate_series(1, i.indnkeyatts) k)) as columns
      from pg_index i
      join pg_class ic on ic.oid = i.indexrelid
      join pg_class c on c.oid = i.indrelid
      join pg_namespace n on n.oid = c.relnamespace
      join pg_am am on am.oid = ic.relam
      where ${wanted} and not exists (select 1 from pg_constraint con where con.conindid = i.indexrelid and con.conrelid = i.indrelid and con.contype in ('p', 'u', 'x'))
      order by ic.relname`),
  );
  for (const row of indexes) {
    tables.get(`${row.schema}.${row.table}`)?.indexes.push({
      name: String(row.name),
      unique: bool(row.is_unique),
      method: String(row.method),
      columns: list(row.columns),
      where: row.predicate == null ? null : String(row.predicate),
    });
  }
  return tables;
}
