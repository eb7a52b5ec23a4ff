import { joinsTestSuite, transactionsTestSuite } from "@better-auth/test-utils/adapter";
import { needsCustomSchema, runConformance } from "./adapter-harness.js";

// Better Auth's CRUD conformance cases again with `advanced.database.joins: true` (the suite sets it and checks it
// in its `init` case): joined reads go through `db.query.<model>.findFirst/findMany({ with })`, which needs the
// relations of `authSchema` on the drizzle instance. The adapter is made with `transaction: true`, so the
// transaction case runs too: a failing `adapter.transaction()` leaves no row behind.
await runConformance(
  "ba_joins",
  [joinsTestSuite({ disableTests: needsCustomSchema }), transactionsTestSuite()],
  {},
  { transaction: true },
);
