import type { PgTransactionConfig } from "drizzle-orm/pg-core";
import type { AnyPgDatabase } from "./database.js";
import { driverError } from "./driver-error.js";

/** How a guarded transaction reports a failure: which errors are already the caller's, and how to make one. */
export interface TransactionGuard {
  /** `true` for an error the caller's own code threw on purpose (its typed errors): passed on unchanged. */
  passes(error: unknown): boolean;
  /**
   * The caller's typed error for anything else. `cause` is the first failure seen (see `guardedTransaction`),
   * drizzle's `DrizzleQueryError` wrapper taken off: the driver's own error, with PostgreSQL's SQLSTATE in `code`.
   */
  wrap(cause: unknown): Error;
  /** drizzle's transaction options (isolation level, access mode), passed on to `db.transaction`. */
  config?: PgTransactionConfig;
}

type Listener = (error: unknown) => void;

/** node-postgres's `Client` (also a pool's checked-out client): an EventEmitter that emits `'error'` and `'end'`. */
interface EmittingClient {
  on(event: "error" | "end", listener: Listener): unknown;
  once(event: "end", listener: () => void): unknown;
  removeListener(event: "error" | "end", listener: Listener): unknown;
}

/**
 * The connection under a drizzle transaction, when it is a node-postgres client. drizzle keeps it on the
 * transaction's session (`tx.session.client`): the pool's checked-out client, or the host's own `Client`.
 * postgres.js and PGlite report a lost connection by rejecting the pending query and emit nothing, so there is
 * nothing to guard (`undefined`).
 */
function emittingClientOf(tx: AnyPgDatabase): EmittingClient | undefined {
  const session = (tx as unknown as { session?: { client?: unknown } }).session;
  const client = session?.client as Partial<EmittingClient> | undefined;
  if (!client || typeof client !== "object") return undefined;
  return typeof client.on === "function" &&
    typeof client.once === "function" &&
    typeof client.removeListener === "function"
    ? (client as EmittingClient)
    : undefined;
}

/**
 * `db.transaction(work, guard.config)` that cannot take the host process down and fails with the caller's typed error.
 *
 * node-postgres emits `'error'` on a client whose connection is lost (the backend was terminated, the server
 * restarted, the network dropped). A pool listens on its idle clients only, so a client checked out for a
 * transaction has no listener, and Node turns the event into an uncaught exception (`Unhandled 'error' event`),
 * whatever `pool.on('error')` the host set. This keeps a listener on the transaction's client from the first
 * moment `work` runs until the transaction has ended (commit or rollback, and the client released); when the
 * connection was lost meanwhile, until the client has emitted `'end'`, so its last `'error'` is caught too.
 * It does nothing for postgres.js and PGlite, which have no such event. Nested calls (a savepoint when `db` is
 * already a transaction) are guarded the same way.
 *
 * When the transaction fails, the first failure decides what is thrown:
 * - an error `work` threw that `guard.passes()` accepts (the caller's typed errors) is thrown unchanged, even if
 *   the rollback failed afterwards (drizzle would otherwise throw the rollback's error);
 * - anything else becomes `guard.wrap(cause)`, where `cause` is the first failure seen: the error `work` threw
 *   or the error the lost connection emitted, whichever came first (for example PostgreSQL's `57P01`
 *   "terminating connection due to administrator command"), else the error of `begin` or `commit`.
 * The connection is not retried: the transaction did not commit (unless only its `commit` answer was lost).
 *
 * Not covered: a connection lost while node-postgres is checking out the client or sending `begin`, before
 * `work` starts (drizzle gives no hook there).
 */
export async function guardedTransaction<T>(
  db: AnyPgDatabase,
  guard: TransactionGuard,
  work: (tx: AnyPgDatabase) => Promise<T>,
): Promise<T> {
  // The first failure seen, from the connection's 'error' event or from `work`; and whether `work` threw.
  let first: { error: unknown } | undefined;
  let lost = false;
  let workError: { error: unknown } | undefined;
  let guarded: { client: EmittingClient; onError: Listener; ended: () => boolean } | undefined;

  try {
    return await db.transaction(async (tx) => {
      const client = emittingClientOf(tx);
      if (client) {
        let ended = false;
        const onError: Listener = (error) => {
          lost = true;
          first ??= { error };
        };
        client.on("error", onError);
        client.once("end", () => {
          ended = true;
        });
        guarded = { client, onError, ended: () => ended };
      }
      try {
        return await work(tx);
      } catch (error) {
        workError = { error };
        first ??= { error };
        throw error;
      }
    }, guard.config);
  } catch (error) {
    if (workError && guard.passes(workError.error)) throw workError.error;
    throw guard.wrap(driverError(first?.error ?? error));
  } finally {
    if (guarded) {
      const { client, onError, ended } = guarded;
      if (lost && !ended()) client.once("end", () => client.removeListener("error", onError));
      else client.removeListener("error", onError);
    }
  }
}
