import { authFlowTestSuite } from "@better-auth/test-utils/adapter";
import { runConformance } from "./adapter-harness.js";

// Better Auth's own sign-up / sign-in / session / password-reset flow through drizzleAdapter on our tables.
await runConformance("ba_auth_flow", [
  authFlowTestSuite({
    disableTests: {
      // Adds a `dateField` to `user` through `user.additionalFields`: a host column, so it runs in
      // host-fields-conformance.test.ts on `defineAuthSchema({ additionalFields })`.
      "should sign up with additional fields": true,
    },
  }),
]);
