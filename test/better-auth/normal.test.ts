import { caseInsensitiveTestSuite, normalTestSuite } from "@better-auth/test-utils/adapter";
import { customId, customIdSuite, needsCustomSchema, runConformance } from "./adapter-harness.js";

// Better Auth's CRUD conformance suite (create, findOne, findMany with every operator, joins, update, delete,
// count, incrementOne) through drizzleAdapter on the package's tables.
await runConformance("ba_normal", [
  normalTestSuite({ disableTests: { ...needsCustomSchema, [customId]: true } }),
  // `mode: 'insensitive'` on eq, ne, in, not_in, contains, starts_with, ends_with (Better Auth looks emails up so).
  caseInsensitiveTestSuite(),
  customIdSuite(),
]);
