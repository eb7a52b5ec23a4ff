import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * Absolute path of the `migrations/` folder shipped inside the installed package (drizzle-kit's layout:
 * `NNNN_name.sql` files plus `meta/_journal.json`). Found through the package's own `package.json`, so it is
 * right from the ESM and the CommonJS build alike, and from the sources in this repository.
 */
export const migrationsFolder: string = join(
  dirname(createRequire(import.meta.url).resolve("@be-monorepo/db/package.json")),
  "migrations",
);

/**
 * The `migrationsFolder` option of `migrate()`, `migrationStatus()` and `checkSchema()`, or the shipped folder.
 * @throws {TypeError} when the options are not an object or the folder is not a non-empty string.
 */
export function migrationsFolderOf(options: { migrationsFolder?: string }, fn: string): string {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `@be-monorepo/db: ${fn}() options must be an object (got ${options === null ? "null" : typeof options})`,
    );
  }
  const folder = options.migrationsFolder ?? migrationsFolder;
  if (typeof folder !== "string" || folder === "") {
    throw new TypeError(`@be-monorepo/db: \`migrationsFolder\` must be a folder path (got ${JSON.stringify(folder)})`);
  }
  return folder;
}
