// docs/rate-limit.md, pruning on a timer. Type-checked by `tsc --noEmit`; compared by test/docs/docs.test.ts.
import type { DbStore } from "../../../src/rate-limit/index.js";

declare const store: DbStore;
declare const logger: { warn(fields: object, message: string): void };

// #region prune
const timer = setInterval(() => {
  store.prune().catch((error) => logger.warn({ error }, "rate-limit prune failed"));
}, 5 * 60_000);
timer.unref(); // don't keep the process alive for it
// #endregion prune
