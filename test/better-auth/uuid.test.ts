import { uuidTestSuite } from "@better-auth/test-utils/adapter";
import { needsCustomSchema, runConformance } from "./adapter-harness.js";

// Better Auth's CRUD conformance cases with `advanced.database.generateId: 'uuid'` (the suite sets it and checks
// it in its `init` case): Better Auth leaves ids to the database, which fills them with `gen_random_uuid()`.
await runConformance("ba_uuid", [uuidTestSuite({ disableTests: needsCustomSchema })]);
