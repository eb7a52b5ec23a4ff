import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { MigrationError } from "./errors.js";

/** One migration of a drizzle-kit folder, in journal order. */
export interface MigrationFile {
  /** Position in the journal (`idx`), which also numbers its snapshot `meta/NNNN_snapshot.json`. */
  idx: number;
  /** File name without `.sql`, for example `"0000_auth_tables"`. */
  tag: string;
  /** The journal's `when`: when drizzle-kit generated it, Unix time in milliseconds. Identifies the migration. */
  createdAt: number;
  /** SHA-256 (hex) of the whole `.sql` file, as drizzle records it. */
  hash: string;
  /** The file split on drizzle-kit's `--> statement-breakpoint` markers. */
  statements: string[];
}

/**
 * The drizzle-kit folder format this package reads: `meta/_journal.json` and `meta/NNNN_snapshot.json` with
 * `version` "7" and `dialect` "postgresql", as drizzle-kit before 1.0 (0.31) writes them. drizzle-kit 1.0 writes another
 * layout (one folder per migration, no journal), which `migrate()` and `checkSchema()` refuse rather than misread.
 */
export const SUPPORTED_FORMAT = { version: "7", dialect: "postgresql" } as const;

interface Journal {
  version?: unknown;
  dialect?: unknown;
  entries: { idx: number; when: number; tag: string }[];
}

const SUPPORTED = `drizzle-kit's folder format version ${SUPPORTED_FORMAT.version} for ${SUPPORTED_FORMAT.dialect} (as drizzle-kit 0.31 writes it)`;

/**
 * Refuses a drizzle-kit file (`what`: the journal or a snapshot) whose `version` or `dialect` is not the
 * supported one.
 * @throws {MigrationError} naming the file, what it has and what is supported.
 */
export function checkFormat(what: string, found: { version?: unknown; dialect?: unknown }): void {
  if (found.version === SUPPORTED_FORMAT.version && found.dialect === SUPPORTED_FORMAT.dialect) return;
  throw new MigrationError(
    `${what} has version ${JSON.stringify(found.version)}, dialect ${JSON.stringify(found.dialect)}; ` +
      `this version of @be-monorepo/db reads only ${SUPPORTED}`,
  );
}

/** drizzle-kit 1.0's layout: a folder per migration holding `migration.sql`, and no `meta/_journal.json`. */
function looksLikeDrizzleKit1(folder: string): boolean {
  try {
    return readdirSync(folder, { withFileTypes: true }).some(
      (entry) => entry.isDirectory() && existsSync(join(folder, entry.name, "migration.sql")),
    );
  } catch {
    return false;
  }
}

/**
 * Reads a drizzle-kit migrations folder (`meta/_journal.json` and one `.sql` file per entry).
 * @throws {MigrationError} when the journal or a listed file is missing or unreadable, or the folder is in a format
 *   other than drizzle-kit's version 7 for PostgreSQL (see {@link SUPPORTED_FORMAT}): a journal or entry with
 *   another `version` or `dialect`, or drizzle-kit 1.0's folder-per-migration layout.
 */
export function readMigrationFolder(folder: string): MigrationFile[] {
  const file = join(folder, "meta", "_journal.json");
  let journal: Journal;
  try {
    journal = JSON.parse(readFileSync(file, "utf8")) as Journal;
  } catch (cause) {
    if (!existsSync(file) && looksLikeDrizzleKit1(folder)) {
      throw new MigrationError(
        `The migrations folder ${folder} has drizzle-kit 1.0's layout (a folder per migration, no meta/_journal.json); ` +
          `this version of @be-monorepo/db reads only ${SUPPORTED}`,
        { cause },
      );
    }
    throw new MigrationError(`Cannot read the migrations journal in ${folder}`, { cause });
  }
  if (typeof journal !== "object" || journal === null) {
    throw new MigrationError(`The migrations journal ${file} is not a drizzle-kit journal`);
  }
  checkFormat(`The migrations journal ${file}`, journal);
  if (!Array.isArray(journal.entries))
    throw new MigrationError(`The migrations journal ${file} has no list of entries`);
  return journal.entries.map((entry) => {
    let text: string;
    try {
      text = readFileSync(join(folder, `${entry.tag}.sql`), "utf8");
    } catch (cause) {
      throw new MigrationError(`Cannot read migration ${entry.tag} in ${folder}`, { migration: entry.tag, cause });
    }
    return {
      idx: entry.idx,
      tag: entry.tag,
      createdAt: entry.when,
      hash: createHash("sha256").update(text).digest("hex"),
      statements: text
        .split("--> statement-breakpoint")
        .map((statement) => statement.trim())
        .filter((statement) => statement.length > 0),
    };
  });
}
