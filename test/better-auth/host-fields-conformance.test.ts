/**
 * The cases of Better Auth's CRUD conformance suite that add `user.additionalFields` (`customField`,
 * `numericField`), and the auth flow's sign-up with a `dateField`, run on the package's tables plus the host's own columns: `defineAuthSchema({ additionalFields })`
 * gives the adapter the columns, and the suite's `runMigrations` adds them after `migrate()`, as a host's own
 * migration would. (The other disabled cases need tables or renamed models no schema of the package has: see
 * `needsCustomSchema` in adapter-harness.ts.)
 */
import {
  authFlowTestSuite,
  createTestSuite,
  getNormalTestSuiteTests,
  testAdapter,
} from "@better-auth/test-utils/adapter";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { sql } from "drizzle-orm";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { integer, text, timestamp } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { afterAll } from "vitest";
import { migrate } from "../../src/migrate/index.js";
import { defineAuthSchema } from "../../src/schema/index.js";
import { createTestDatabase } from "../support/database.js";
import { hostFieldCases } from "./adapter-harness.js";

const s = defineAuthSchema({
  additionalFields: {
    user: {
      customField: text("custom_field"),
      numericField: integer("numeric_field"),
      dateField: timestamp("date_field", { withTimezone: true, mode: "date" }),
    },
  },
});
const t = await createTestDatabase("ba_host_fields");
afterAll(() => t.close());
const client = (t.db as unknown as { $client: unknown }).$client;
const db =
  t.kind === "postgres"
    ? drizzlePg(client as never, { schema: s.authSchema })
    : drizzlePglite(client as never, { schema: s.authSchema });

const suite = createTestSuite("normal (host fields)", {}, (helpers, debug) => {
  const all = getNormalTestSuiteTests(helpers, debug);
  return Object.fromEntries(hostFieldCases.map((name) => [name, all[name]]));
});

const { execute } = await testAdapter({
  adapter: () => drizzleAdapter(db, { provider: "pg", schema: s.authSchema }),
  runMigrations: async () => {
    await migrate(db);
    await db.execute(sql`alter table "user" add column if not exists custom_field text,
      add column if not exists numeric_field integer, add column if not exists date_field timestamptz`);
  },
  overrideBetterAuthOptions: () => ({ baseURL: "http://localhost:3000" }),
  tests: [
    suite(),
    // The auth flow's one case with a host field (`dateField`, a date); its other cases run in auth-flow.test.ts.
    authFlowTestSuite({
      disableTests: {
        "should successfully sign up": true,
        "should successfully sign in": true,
        "should reset password with a single-use token": true,
        "should successfully get session": true,
        "should not sign in with invalid email": true,
        "should store and retrieve timestamps correctly across timezones": true,
      },
    }),
  ],
});
execute();
