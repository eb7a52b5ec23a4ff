import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgresJs } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { migrate } from "../../src/migrate/index.js";
import { DbStore } from "../../src/rate-limit/index.js";
import type { AnyPgDatabase } from "../../src/shared/database.js";
import { createServerDatabase, newPglite, serverUrl } from "../support/database.js";

/** The same calls through each driver drizzle supports: the array parameters and result shapes differ. */
async function exercise(db: AnyPgDatabase) {
  await migrate(db);
  const store = new DbStore({ db });
  store.init({ windowMs: 60_000 });
  const keys = [`a"b\\c`, `a"b\\c`, "{x,y}", "🚦", "NULL"];
  const totals = (await Promise.all(keys.map((k) => store.increment(k)))).map((r) => r.totalHits);
  expect(totals).toEqual([1, 2, 1, 1, 1]);
  await store.decrement("🚦");
  expect((await store.get("🚦"))?.totalHits).toBe(0);
  expect((await store.get(`a"b\\c`))?.resetTime).toBeInstanceOf(Date);
  await store.resetKey("NULL");
  expect(await store.get("NULL")).toBeUndefined();
  expect(await store.prune()).toBe(0);
  await store.resetAll();
  expect(await store.get("{x,y}")).toBeUndefined();
}

describe("DbStore on each drizzle driver", () => {
  // A PGlite start (initdb, when the run has no prepared data folder) takes seconds, far more on a loaded machine.
  it("works on PGlite", { timeout: 90_000 }, async () => {
    const client = await newPglite();
    try {
      await exercise(drizzlePglite(client));
    } finally {
      await client.close();
    }
  });

  it.runIf(serverUrl)("works on postgres.js (needs a PostgreSQL server: postgres.js connects over TCP)", async () => {
    const { url, drop } = await createServerDatabase("rate_limit_postgres_js");
    const client = postgres(url, { max: 3, onnotice: () => {} });
    try {
      await exercise(drizzlePostgresJs(client));
    } finally {
      await client.end();
      await drop();
    }
  });
});
