// Way B of the recipe (docs/recipes.md): the line that makes the host's drizzle-kit own the package's tables.
// test/recipes/drizzle-kit-host.test.ts appends it to way A's schema file.
// #region reexport-b
// src/db/schema.ts
export {
  accountTable,
  rateLimitTable,
  sessionTable,
  userTable,
  verificationTable,
} from "@be-monorepo/db/schema";
// ...and your own tables, as in A.
// #endregion reexport-b
