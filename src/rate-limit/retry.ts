import { sqlStateOf } from "../shared/driver-error.js";

/** PostgreSQL's `deadlock_detected` (SQLSTATE 40P01). */
const DEADLOCK = "40P01";

/**
 * Runs `attempt` again (at most `tries` times in all) when PostgreSQL aborted it as a deadlock victim. Safe
 * because every `DbStore` statement is atomic: a statement PostgreSQL aborts has changed nothing. Deadlocks can
 * only come from a statement that locks many rows in another order than the increments' sorted order (for
 * example `resetAll` running at the same time); PostgreSQL breaks them after `deadlock_timeout` (1 s by default).
 * Waits 25–50 ms before the second attempt and 50–75 ms before the third.
 */
export async function retryOnDeadlock<T>(attempt: () => Promise<T>, tries = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (i >= tries || sqlStateOf(error) !== DEADLOCK) throw error;
      // Give the other transaction time to take the locks it was waiting for: retrying at once can win the
      // race for them again and rebuild the same deadlock.
      await new Promise((resolve) => setTimeout(resolve, 25 * i + Math.random() * 25));
    }
  }
}

/**
 * SQLSTATE classes of errors that a statement can raise because of one of its rows, so that the same statement
 * without that row may succeed: 21 cardinality violation, 22 data exception (a count out of `integer` range, a
 * character the database's encoding cannot hold), 23 integrity constraint violation (a host's own check or
 * trigger), 54 program limit exceeded (an index entry too large). Connection failures (08), cancellations and
 * timeouts (57), missing tables (42) and the like concern the whole statement.
 */
const ROW_CLASSES = new Set(["21", "22", "23", "54"]);

/** Whether `error` is one that a coalesced statement may have raised for one of its keys alone. */
export function mayBelongToOneKey(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state !== undefined && ROW_CLASSES.has(state.slice(0, 2));
}
