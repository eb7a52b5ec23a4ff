import { authFlowTestSuite } from "@better-auth/test-utils/adapter";
import { runConformance } from "./adapter-harness.js";

// Better Auth's own sign-up / sign-in / session / password-reset flow through drizzleAdapter on our tables.
await runConformance("ba_auth_flow", [
  authFlowTestSuite({
    disableTests: {
      // Adds a custom `dateField` column to `user` through `user.additionalFields`; the package ships a fixed
      // `user` table, so a host that adds fields must add the column (and the schema key) itself.
      "should sign up with additional fields": true,
    },
  }),
]);
