import { authFlowTestSuite } from "@better-auth/test-utils/adapter";
import { runConformance } from "./adapter-harness.js";

// The same flow with `advanced.database.joins` on: the adapter then reads through `db.query` with `with: {…}`,
// which needs the drizzle instance made with `schema: authSchema` (the relations included).
await runConformance(
  "ba_auth_flow_joins",
  [
    authFlowTestSuite({
      disableTests: {
        // Adds a `dateField` to `user` through `user.additionalFields`: a host column, so it runs in
        // host-fields-conformance.test.ts on `defineAuthSchema({ additionalFields })` (without joins: the case
        // reads no relation).
        "should sign up with additional fields": true,
      },
    }),
  ],
  { advanced: { database: { joins: true } } },
);
