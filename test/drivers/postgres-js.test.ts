import { describe } from "vitest";
import { serverOnly, serverUrl } from "../support/database.js";
import { runBehaviourSuite } from "./behaviour.js";
import { hostVariants, postgresJsHost } from "./hosts.js";

describe.runIf(serverUrl)(serverOnly("drizzle-orm/postgres-js"), () => {
  for (const variant of hostVariants) {
    runBehaviourSuite(variant.label, postgresJsHost("drv_pgjs", variant), {
      ...variant,
      driver: "postgres-js",
      pooler: undefined,
      concurrent: true,
    });
  }
});
