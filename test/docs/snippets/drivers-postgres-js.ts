// docs/drivers.md, postgres.js behind PgBouncer. Type-checked by `tsc --noEmit`; compared by test/docs/docs.test.ts.
// #region prepare-false
import { authSchema } from "@be-monorepo/db/schema";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";

const client = postgres(process.env.DATABASE_URL!, { prepare: false });
export const db = drizzle(client, { schema: authSchema });
// #endregion prepare-false
