import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
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

interface Journal {
  entries: { idx: number; when: number; tag: string }[];
}

/**
 * Reads a drizzle-kit migrations folder (`meta/_journal.json` and one `.sql` file per entry).
 * @throws {MigrationError} when the journal or a listed file is missing or unreadable.
 */
export function readMigrationFolder(folder: string): MigrationFile[] {
  let journal: Journal;
  try {
    journal = JSON.parse(readFileSync(join(folder, "meta", "_journal.json"), "utf8")) as Journal;
  } catch (cause) {
    throw new MigrationError(`Cannot read the migrations journal in ${folder}`, { cause });
  }
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
