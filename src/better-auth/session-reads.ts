import type { DBAdapter, Where } from "better-auth";

const patched = Symbol.for("@be-monorepo/db/better-auth/hide-soft-deleted-sessions");

const liveSession: Where = { field: "deletedAt", operator: "eq", value: null, connector: "AND" };

type PatchedAdapter = DBAdapter & { [patched]?: true };
type Row = Record<string, unknown> & { user?: { deletedAt?: unknown } | null };

/** A session row is live when it was read with `deletedAt IS NULL` and its joined user (if any) is not deleted. */
const joinedUserIsLive = (row: unknown): boolean => {
  const user = (row as Row | null)?.user;
  return !(user && typeof user === "object" && user.deletedAt != null);
};

/**
 * Makes every read of the `session` model through `adapter` skip soft-deleted rows, in place (the adapter keeps
 * its identity, so Better Auth's schema check and anything else keyed on it still apply):
 *
 * - `findOne`, `findMany` and `count` on `session` get an extra `deletedAt = null` condition (ANDed with the
 *   caller's `where`), so a soft-deleted session is invisible to `getSession`, the session middlewares,
 *   `listSessions` and every plugin that looks sessions up.
 * - A `session` row read with `join: { user: true }` (how `getSession` reads) is dropped when its user is
 *   soft-deleted, so the sessions of a user soft-deleted by hand (without `softDeleteUser`) are refused too.
 * - `transaction` patches the transaction adapter it hands out the same way.
 *
 * Other models and writes are untouched.
 */
export function hideSoftDeletedSessions(adapter: DBAdapter): void {
  const target = adapter as PatchedAdapter;
  if (target[patched]) return;
  target[patched] = true;

  const findOne = adapter.findOne.bind(adapter);
  const findMany = adapter.findMany.bind(adapter);
  const count = adapter.count.bind(adapter);
  const transaction = adapter.transaction.bind(adapter);

  adapter.findOne = (async (args: Parameters<DBAdapter["findOne"]>[0]) => {
    if (args.model !== "session") return findOne(args);
    const row = await findOne({ ...args, where: [...args.where, liveSession] });
    return row && joinedUserIsLive(row) ? row : null;
  }) as DBAdapter["findOne"];

  adapter.findMany = (async (args: Parameters<DBAdapter["findMany"]>[0]) => {
    if (args.model !== "session") return findMany(args);
    const rows = await findMany({ ...args, where: [...(args.where ?? []), liveSession] });
    return rows.filter(joinedUserIsLive);
  }) as DBAdapter["findMany"];

  adapter.count = (args) =>
    args.model === "session" ? count({ ...args, where: [...(args.where ?? []), liveSession] }) : count(args);

  adapter.transaction = ((callback: (trx: DBAdapter) => Promise<unknown>) =>
    transaction((trx) => {
      hideSoftDeletedSessions(trx as DBAdapter);
      return callback(trx as DBAdapter);
    })) as DBAdapter["transaction"];
}
