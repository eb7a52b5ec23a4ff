import { runBehaviourSuite } from "./behaviour.js";
import { hostVariants, pgliteHost } from "./hosts.js";

// PGlite runs in this process: no server needed, so these always run.
for (const variant of hostVariants) {
  runBehaviourSuite(`drizzle-orm/pglite (${variant.label})`, pgliteHost(variant), {
    ...variant,
    driver: "pglite",
    pooler: undefined,
    concurrent: false,
  });
}
