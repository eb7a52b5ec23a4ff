import { authFlowTestSuite, normalTestSuite } from "@better-auth/test-utils/adapter";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { it } from "vitest";
import { authSchema } from "../../src/schema/index.js";
import { createServerDatabase, serverUrl } from "../support/database.js";
import { customId, customIdSuite, needsCustomSchema, runConformance } from "./adapter-harness.js";

// The auth flow and the CRUD cases again with the host's drizzle instance on postgres.js instead of node-postgres
// (postgres.js parses timestamps, bigints and booleans itself): the tables behave the same through either driver.
if (serverUrl) {
  await runConformance(
    "ba_postgres_js",
    [
      authFlowTestSuite({
        // Adds a custom `dateField` column to `user`; see auth-flow.test.ts.
        disableTests: { "should sign up with additional fields": true },
      }),
      normalTestSuite({ disableTests: { ...needsCustomSchema, [customId]: true } }),
      customIdSuite(),
    ],
    {},
    {},
    async (label) => {
      const { url, drop } = await createServerDatabase(label);
      const client = postgres(url, { max: 5, onnotice: () => {} });
      return {
        db: drizzle(client, { schema: authSchema }),
        close: async () => {
          await client.end();
          await drop();
        },
      };
    },
  );
} else {
  it.skip("needs a PostgreSQL server for postgres.js (this run is on PGlite)", () => {});
}
