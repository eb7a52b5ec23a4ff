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
