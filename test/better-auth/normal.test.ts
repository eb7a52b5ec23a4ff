import { caseInsensitiveTestSuite, normalTestSuite } from "@better-auth/test-utils/adapter";
import { needsCustomSchema, runConformance } from "./adapter-harness.js";

const customId = "create - should use generateId if provided";

// Better Auth's CRUD conformance suite (create, findOne, findMany with every operator, joins, update, delete,
// count, incrementOne) through drizzleAdapter on the package's tables.
//
// `create - should use generateId if provided` sets `generateId: () => 'MOCK-ID'` and leaves it set; upstream, the
// next case that reconfigures the schema resets it, but those are disabled here, so later cases would all insert
// 'MOCK-ID'. It therefore runs on its own, last, as a second pass of the same suite with every other case off.
await runConformance("ba_normal", [
  normalTestSuite({ disableTests: { ...needsCustomSchema, [customId]: true } }),
  // `mode: 'insensitive'` on eq, ne, in, not_in, contains, starts_with, ends_with (Better Auth looks emails up so).
  caseInsensitiveTestSuite(),
  normalTestSuite({ disableTests: { ALL: true, [customId]: false } }),
]);
