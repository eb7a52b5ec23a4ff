// docs/schema.md, `timestamps` in a host table. Type-checked by `tsc --noEmit`; compared by test/docs/docs.test.ts.
// #region timestamps
import { timestamps } from "@be-monorepo/db/schema";
import { pgTable, text } from "drizzle-orm/pg-core";

export const noteTable = pgTable("note", { id: text("id").primaryKey(), body: text("body"), ...timestamps });
// #endregion timestamps
