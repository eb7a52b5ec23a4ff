import { describe } from "vitest";
import { serverOnly, serverUrl } from "../support/database.js";
import { runBehaviourSuite } from "./behaviour.js";
import { hostVariants, nodePostgresHost } from "./hosts.js";

describe.runIf(serverUrl)(serverOnly("drizzle-orm/node-postgres, pg.Pool"), () => {
  for (const variant of hostVariants) {
    runBehaviourSuite(variant.label, nodePostgresHost("drv_node_pg", variant), {
      ...variant,
      driver: "node-postgres",
      pooler: undefined,
      concurrent: true,
    });
  }
});
