import { authFlowTestSuite } from "@better-auth/test-utils/adapter";
import { runConformance } from "./adapter-harness.js";

// The same flow with `advanced.database.joins` on: the adapter then reads through `db.query` with `with: {…}`,
// which needs the drizzle instance made with `schema: authSchema` (the relations included).
await runConformance(
  "ba_auth_flow_joins",
  [
    authFlowTestSuite({
      disableTests: {
        // Adds a custom `dateField` column to `user` through `user.additionalFields`; the package ships a fixed
        // `user` table, so a host that adds fields must add the column (and the schema key) itself.
        "should sign up with additional fields": true,
      },
    }),
  ],
  { advanced: { database: { joins: true } } },
);
