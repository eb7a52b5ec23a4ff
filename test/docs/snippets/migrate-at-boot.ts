// docs/recipes.md, "Migrations at boot, or in a deploy step". Type-checked by `tsc --noEmit`; compared by
// test/docs/docs.test.ts.
import { serve } from "@hono/node-server";
import { drizzle } from "drizzle-orm/node-postgres";
import type { Hono } from "hono";
import type pg from "pg";
import { migrate, migrationStatus } from "../../../src/migrate/index.js";
import { authSchema } from "../../../src/schema/index.js";

declare const pool: pg.Pool;
declare const app: Hono;

export async function atBoot() {
  // #region boot
  const db = drizzle(pool, { schema: authSchema });
  await migrate(db); // throws MigrationError: let the process exit non-zero so the orchestrator retries
  serve({ fetch: app.fetch, port: 3000 });
  // #endregion boot
}

export async function afterDeployStep(db: ReturnType<typeof drizzle>) {
  // #region deploy
  const { pending } = await migrationStatus(db);
  if (pending.length > 0) throw new Error(`run "be-db migrate" first: ${pending.map((m) => m.tag).join(", ")}`);
  // #endregion deploy
}
