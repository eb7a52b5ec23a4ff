import type { MigrationFile } from "./journal.js";
import type { Snapshot, SnapshotTable } from "./snapshot.js";

/** The schema drizzle-kit generates the package's migrations for, and the default of the `pgSchema` option. */
export const DEFAULT_PG_SCHEMA = "public";

/** PostgreSQL's longest identifier in bytes (`NAMEDATALEN - 1`); a longer name is silently truncated. */
const MAX_IDENTIFIER_BYTES = 63;

const shownName = (value: unknown) =>
  typeof value === "string" ? JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value) : typeof value;

/**
 * Checks the `pgSchema` option (the PostgreSQL schema the package's tables live in) and returns it; `undefined`
 * is `"public"`. The name is used exactly as given, always quoted in SQL (`"Auth"` and `"auth"` are two schemas,
 * as with drizzle's `pgSchema("Auth")`).
 * @throws {TypeError} naming `pgSchema` when it is not a string, is empty, is longer than 63 UTF-8 bytes
 *   (PostgreSQL would truncate it, so the tables would land in a schema of another name), contains NUL or a lone
 *   surrogate (PostgreSQL cannot store them), starts with `pg_` (PostgreSQL reserves the prefix for system schemas
 *   and refuses `CREATE SCHEMA`), or is `information_schema` (a system schema).
 */
export function checkPgSchema(value: unknown): string {
  if (value === undefined) return DEFAULT_PG_SCHEMA;
  const refuse = (why: string): never => {
    throw new TypeError(`@be-monorepo/db: \`pgSchema\` ${why} (got ${shownName(value)})`);
  };
  if (typeof value !== "string") return refuse("must be the name of a PostgreSQL schema, a string");
  if (value === "" || value.includes("\u0000") || /[\uD800-\uDFFF]/u.test(value)) {
    return refuse("must be a PostgreSQL identifier: not empty, without NUL or lone surrogates");
  }
  if (Buffer.byteLength(value) > MAX_IDENTIFIER_BYTES) {
    return refuse(
      `must be at most ${MAX_IDENTIFIER_BYTES} bytes in UTF-8 (${Buffer.byteLength(value)}): PostgreSQL would truncate it`,
    );
  }
  if (value.startsWith("pg_") || value === "information_schema") {
    return refuse('names a system schema: PostgreSQL reserves "pg_" names and information_schema');
  }
  return value;
}

/** `name` as a quoted PostgreSQL identifier: `auth` → `"auth"`, `a"b` → `"a""b"`. */
export const quoteIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** One lexical piece of SQL: `name` is set on identifiers (unquoted ones folded to lower case, as PostgreSQL does). */
interface Token {
  text: string;
  name?: string;
  /** Whitespace or a comment: skipped when looking for what follows an identifier. */
  blank?: boolean;
}

const IDENTIFIER_START = /[A-Za-z_\u0080-\uFFFF]/;
const IDENTIFIER_PART = /[A-Za-z0-9_$\u0080-\uFFFF]/;
const WHITESPACE = /\s+/y;
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uFFFF][A-Za-z0-9_\u0080-\uFFFF]*)?\$/y;

/** The tag (`$$`, `$body$`) of a dollar-quoted string starting at `at`, or `undefined`. */
const dollarTag = (text: string, at: number) => {
  DOLLAR_TAG.lastIndex = at;
  return DOLLAR_TAG.exec(text)?.[0];
};

/**
 * Splits SQL into tokens as PostgreSQL's lexer does for what matters here: string constants (`'…'` with `''`,
 * `E'…'` with backslash escapes, `$tag$…$tag$`), comments (`--` to the end of the line, nested `/* … *\/`),
 * quoted identifiers (`"…"` with `""`, also `U&"…"`) and unquoted ones. Anything else is one character.
 * An unterminated string, comment or quoted identifier runs to the end (PostgreSQL would refuse the statement).
 */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const until = (end: number) => {
    const piece = text.slice(i, end);
    i = end;
    return piece;
  };
  const closing = (from: number, quote: string, backslashes: boolean) => {
    let j = from;
    while (j < text.length) {
      const c = text[j];
      if (backslashes && c === "\\") j += 2;
      else if (c === quote && text[j + 1] === quote) j += 2;
      else if (c === quote) return j + 1;
      else j++;
    }
    return text.length;
  };
  while (i < text.length) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (/\s/.test(c)) {
      WHITESPACE.lastIndex = i;
      WHITESPACE.test(text);
      tokens.push({ text: until(WHITESPACE.lastIndex), blank: true });
    } else if (c === "-" && next === "-") {
      const end = text.indexOf("\n", i);
      tokens.push({ text: until(end === -1 ? text.length : end), blank: true });
    } else if (c === "/" && next === "*") {
      let depth = 0;
      let j = i;
      while (j < text.length) {
        if (text.startsWith("/*", j)) {
          depth++;
          j += 2;
        } else if (text.startsWith("*/", j)) {
          depth--;
          j += 2;
          if (depth === 0) break;
        } else j++;
      }
      tokens.push({ text: until(Math.min(j, text.length)), blank: true });
    } else if (c === "'") {
      tokens.push({ text: until(closing(i + 1, "'", false)) });
    } else if ((c === "E" || c === "e") && next === "'") {
      tokens.push({ text: until(closing(i + 2, "'", true)) });
    } else if ((c === "U" || c === "u") && next === "&" && (text[i + 2] === "'" || text[i + 2] === '"')) {
      const quote = text[i + 2] as string;
      // A Unicode-escaped identifier is never taken for a schema name: it is kept as written.
      tokens.push({ text: until(closing(i + 3, quote, false)) });
    } else if (c === '"') {
      const piece = until(closing(i + 1, '"', false));
      tokens.push({ text: piece, name: piece.slice(1, -1).replaceAll('""', '"') });
    } else if (c === "$" && dollarTag(text, i)) {
      const tag = dollarTag(text, i) as string;
      const end = text.indexOf(tag, i + tag.length);
      tokens.push({ text: until(end === -1 ? text.length : end + tag.length) });
    } else if (IDENTIFIER_START.test(c)) {
      let j = i + 1;
      while (j < text.length && IDENTIFIER_PART.test(text[j] as string)) j++;
      const piece = until(j);
      tokens.push({ text: piece, name: piece.toLowerCase() });
    } else if (/[0-9]/.test(c)) {
      // A number (or a parameter's digits after `$`): never an identifier, even with letters after it (`1e5`).
      let j = i + 1;
      while (j < text.length && /[0-9A-Za-z_.]/.test(text[j] as string)) j++;
      tokens.push({ text: until(j) });
    } else {
      tokens.push({ text: until(i + 1) });
    }
  }
  return tokens;
}

/**
 * Moves one SQL text from schema `from` to schema `to`: every qualified name whose schema is `from`
 * (`"public"."user"`, `public.user`, `"public"."role"`) gets `to` instead, quoted (`"auth"."user"`). A name is
 * qualified when the identifier is followed by `.` (whitespace and comments between are allowed) and not itself
 * preceded by one (in `a.public.b` it is not a schema). String constants, comments, dollar-quoted bodies and
 * identifiers that merely contain the name (`"public_key"`, a column `"public"`) are left as they are.
 *
 * Unqualified names (`CREATE TABLE "user"`, `REFERENCES "user"`) are not touched: `migrate()` runs the statements
 * with the transaction's `search_path` set to `to` alone, so they resolve there.
 *
 * Works on any drizzle-kit migration folder's SQL (the package's, a plugin's, the host's own).
 */
export function moveSchemaReferences(text: string, from: string, to: string): string {
  if (from === to) return text;
  const tokens = tokenize(text);
  const target = quoteIdentifier(to);
  const nextSolid = (index: number, step: 1 | -1) => {
    let j = index + step;
    while (tokens[j]?.blank) j += step;
    return tokens[j];
  };
  return tokens
    .map((token, index) => {
      if (token.name !== from) return token.text;
      if (nextSolid(index, 1)?.text !== ".") return token.text;
      if (nextSolid(index, -1)?.text === ".") return token.text;
      return target;
    })
    .join("");
}

/**
 * The migrations of a folder as they run in schema `pgSchema`: each statement with its `public` references
 * moved there ({@link moveSchemaReferences}). `hash`, `tag` and `createdAt` stay those of the file, so the history
 * names the same migration whatever schema it went to. `public` returns `files` unchanged.
 */
export function placeMigrations(files: MigrationFile[], pgSchema: string): MigrationFile[] {
  if (pgSchema === DEFAULT_PG_SCHEMA) return files;
  return files.map((file) => ({
    ...file,
    statements: file.statements.map((statement) => moveSchemaReferences(statement, DEFAULT_PG_SCHEMA, pgSchema)),
  }));
}

/**
 * A drizzle-kit snapshot as the tables look in schema `pgSchema`: every table drizzle-kit recorded in `public`
 * (schema `""` or `"public"`), and every foreign key pointing there, moved to `pgSchema`. Tables of other schemas
 * stay where they are. `public` returns the snapshot unchanged.
 */
export function placeSnapshot(snapshot: Snapshot, pgSchema: string): Snapshot {
  if (pgSchema === DEFAULT_PG_SCHEMA) return snapshot;
  const moved = (schema: string | undefined) =>
    schema === undefined || schema === "" || schema === DEFAULT_PG_SCHEMA ? pgSchema : schema;
  const tables: Record<string, SnapshotTable> = {};
  for (const [key, table] of Object.entries(snapshot.tables)) {
    const foreignKeys: SnapshotTable["foreignKeys"] = {};
    for (const [name, foreignKey] of Object.entries(table.foreignKeys ?? {})) {
      foreignKeys[name] = { ...foreignKey, schemaTo: moved(foreignKey.schemaTo) };
    }
    tables[key] = { ...table, schema: moved(table.schema), foreignKeys };
  }
  return { ...snapshot, tables };
}
