import { tryGetCurrentAuthEndpointContext } from "@better-auth/core/context";
import type { DBAdapter, Where } from "better-auth";
import { APIError } from "better-auth/api";
import { SOFT_DELETE_ERROR_CODES } from "./error-codes.js";
import { SILENT_SEND_ANSWERS, UNKNOWN_USER_PATHS } from "./flows.js";

const patched = Symbol.for("@be-monorepo/db/better-auth/soft-delete-adapter");

const live: Where = { field: "deletedAt", operator: "eq", value: null, connector: "AND" };
const softDeleted: Where = { field: "deletedAt", operator: "ne", value: null, connector: "AND" };
const byId = (id: string): Where => ({ field: "id", operator: "eq", value: id, connector: "AND" });

type PatchedAdapter = DBAdapter & { [patched]?: SoftDeletionProbe };
type Row = Record<string, unknown> & { user?: { deletedAt?: unknown } | null; deletedAt?: unknown };
type WriteOperation = "create" | "update" | "updateMany" | "delete" | "deleteMany" | "consumeOne" | "incrementOne";

/** Better Auth's `APIError` 403 `USER_DELETED`. */
export const userDeletedError = () => APIError.from("FORBIDDEN", SOFT_DELETE_ERROR_CODES.USER_DELETED);

/** Better Auth's own answer for a request without a valid session (its session middleware's 401). */
export const sessionEndedError = () => APIError.from("UNAUTHORIZED", { message: "Unauthorized", code: "UNAUTHORIZED" });

/** What the endpoint being served looks like from the adapter (Better Auth's endpoint context, when there is one). */
interface EndpointCall {
  path?: string;
  body?: unknown;
  context?: { session?: { session?: { token?: unknown }; user?: { id?: unknown } } | null };
}
const currentCall = () => tryGetCurrentAuthEndpointContext() as EndpointCall | undefined;

type Hook = { matcher?: (call: unknown) => unknown };
/**
 * Whether the request authenticates by an API key (`@better-auth/api-key` with `enableSessionForAPIKeys`): asked of
 * that plugin's own before-hook matcher, so its configured `apiKeyHeaders` and custom getters count.
 */
const byApiKey = (call: EndpointCall): boolean => {
  const plugins = (call.context as { options?: { plugins?: { id?: string; hooks?: { before?: Hook[] } }[] } })?.options
    ?.plugins;
  const hooks = plugins?.find((plugin) => plugin.id === "api-key")?.hooks?.before ?? [];
  return hooks.some((hook) => {
    try {
      return Boolean(hook.matcher?.(call));
    } catch {
      return false;
    }
  });
};

/**
 * Reads that see soft-deleted rows (the adapter's own methods, not the filtered ones), for the plugin's hooks.
 */
export interface SoftDeletionProbe {
  /** Whether user `userId` exists and is soft-deleted. */
  userDeleted(userId: string): Promise<boolean>;
  /**
   * `"user"` when the session's user is soft-deleted, `"session"` when only the session row is, `null` when both
   * are live or not in the database (a session kept in `secondaryStorage` only, a revoked one).
   */
  ended(session: { userId: string; token: string }): Promise<"user" | "session" | null>;
  /** Ends a session as `softDeleteUser` does (`deletedAt` = now, `expiresAt` = the earlier of it and now). */
  endSession(session: { id: string; expiresAt: Date | string }): Promise<void>;
}

/** The marker that stops a silent-send endpoint; the plugin's after hook turns it into the endpoint's answer. */
const silentAnswers = new WeakMap<object, Record<string, unknown>>();

/** The answer to give instead of `error` when it is the plugin's silent-send marker, else `undefined`. */
export function silentAnswerOf(error: unknown): Record<string, unknown> | undefined {
  return typeof error === "object" && error !== null ? silentAnswers.get(error) : undefined;
}

/**
 * Makes soft deletion hold for everything Better Auth does through `adapter`, in place (the adapter keeps its
 * identity, so Better Auth's schema check and anything else keyed on it still apply), and returns the probe the
 * plugin's hooks use. Idempotent.
 *
 * Reads:
 * - `findOne`, `findMany` and `count` on `session` get an extra `deletedAt = null` condition (ANDed with the
 *   caller's `where`), and a `session` row read with `join: { user: true }` (how `getSession` reads) is dropped
 *   when its user is soft-deleted: soft-deleted sessions, and all sessions of a soft-deleted user, are invisible.
 * - While an endpoint of `UNKNOWN_USER_PATHS` runs, or a request authenticates by an API key (the session the
 *   `@better-auth/api-key` plugin makes from the key's owner), reads of `user` skip soft-deleted users.
 * - While an endpoint of `SILENT_SEND_ANSWERS` runs for a soft-deleted user's `email`, its first database call
 *   throws the silent-send marker.
 *
 * Writes (`create`, `update`, `updateMany`, `delete`, `deleteMany`, `consumeOne`, `incrementOne`):
 * - in a request whose session (possibly read from the cookie cache) belongs to a soft-deleted user, every write
 *   is refused with 403 `USER_DELETED`; when only that session is soft-deleted, with Better Auth's 401;
 * - a soft-deleted user's `user` row and `account` rows are never written (403 `USER_DELETED`), whoever asks;
 * - `update`s of `user` and `session` rows only touch live rows (`deletedAt = null` is added to their `where`).
 *
 * `transaction` patches the transaction adapter it hands out the same way.
 */
export function guardAdapter(adapter: DBAdapter): SoftDeletionProbe {
  const target = adapter as PatchedAdapter;
  const existing = target[patched];
  if (existing) return existing;

  const findOne = adapter.findOne.bind(adapter) as (args: Parameters<DBAdapter["findOne"]>[0]) => Promise<Row | null>;
  const findMany = adapter.findMany.bind(adapter) as (args: Parameters<DBAdapter["findMany"]>[0]) => Promise<Row[]>;
  const count = adapter.count.bind(adapter);
  const original = {
    create: adapter.create.bind(adapter),
    update: adapter.update.bind(adapter),
    updateMany: adapter.updateMany.bind(adapter),
    delete: adapter.delete.bind(adapter),
    deleteMany: adapter.deleteMany.bind(adapter),
    consumeOne: adapter.consumeOne?.bind(adapter),
    incrementOne: adapter.incrementOne?.bind(adapter),
  };
  const transaction = adapter.transaction.bind(adapter);

  const userDeleted = async (userId: string) =>
    (await findOne({ model: "user", where: [byId(userId)], select: ["id", "deletedAt"] }))?.deletedAt != null;

  const probe: SoftDeletionProbe = {
    userDeleted,
    async ended({ userId, token }) {
      const [userGone, session] = await Promise.all([
        userDeleted(userId),
        findOne({ model: "session", where: [{ field: "token", value: token }], select: ["id", "deletedAt"] }),
      ]);
      if (userGone) return "user";
      return session?.deletedAt != null ? "session" : null;
    },
    async endSession({ id, expiresAt }) {
      const now = new Date();
      const expires = new Date(expiresAt);
      await original.update({
        model: "session",
        where: [byId(id)],
        update: { deletedAt: now, expiresAt: expires.getTime() < now.getTime() ? expires : now },
      });
    },
  };
  target[patched] = probe;

  // The actor check: once per session object of a request (Better Auth sets `ctx.context.session` once).
  const actorChecks = new WeakMap<object, Promise<APIError | null>>();
  const refuseEndedActor = async () => {
    const session = currentCall()?.context?.session;
    const userId = session?.user?.id;
    const token = session?.session?.token;
    if (!session || typeof userId !== "string" || typeof token !== "string") return;
    let check = actorChecks.get(session);
    if (!check) {
      check = probe.ended({ userId, token }).then((ended) => {
        if (ended === "user") return userDeletedError();
        return ended === "session" ? sessionEndedError() : null;
      });
      actorChecks.set(session, check);
    }
    const refusal = await check;
    if (refusal) throw refusal;
  };

  // The silent-send check: once per request of a silent-send endpoint, before its first database call.
  const silentChecks = new WeakMap<object, Promise<void>>();
  const stopSilentSend = async () => {
    const call = currentCall();
    const answer = call?.path === undefined ? undefined : SILENT_SEND_ANSWERS.get(call.path);
    const email = (call?.body as { email?: unknown } | undefined)?.email;
    if (!call || !answer || typeof email !== "string") return;
    let check = silentChecks.get(call);
    if (!check) {
      check = findOne({
        model: "user",
        where: [{ field: "email", value: email.toLowerCase() }],
        select: ["id", "deletedAt"],
      }).then((user) => {
        if (user?.deletedAt == null) return;
        const marker = new APIError("OK", answer);
        silentAnswers.set(marker, answer);
        throw marker;
      });
      silentChecks.set(call, check);
    }
    await check;
  };

  const hidesUsers = () => {
    const call = currentCall();
    return (call?.path !== undefined && UNKNOWN_USER_PATHS.has(call.path)) || (call !== undefined && byApiKey(call));
  };
  const readWhere = (model: string, where: Where[] | undefined): Where[] | undefined =>
    model === "session" || (model === "user" && hidesUsers()) ? [...(where ?? []), live] : where;

  // A soft-deleted user's `user` and `account` rows are not written through Better Auth, whoever asks.
  const refuseDeletedOwner = async (operation: WriteOperation, model: string, args: Record<string, unknown>) => {
    if (model === "user" && operation !== "create") {
      const where = args.where as Where[];
      if (await findOne({ model: "user", where: [...where, softDeleted], select: ["id"] })) throw userDeletedError();
    }
    if (model === "account") {
      const owners =
        operation === "create"
          ? [(args.data as { userId?: unknown } | undefined)?.userId]
          : (await findMany({ model: "account", where: args.where as Where[], select: ["userId"] })).map(
              (row) => row.userId,
            );
      const ids = [...new Set(owners.filter((id): id is string => typeof id === "string"))];
      if (
        ids.length > 0 &&
        (await findOne({
          model: "user",
          where: [{ field: "id", operator: "in", value: ids, connector: "AND" }, softDeleted],
          select: ["id"],
        }))
      ) {
        throw userDeletedError();
      }
    }
  };

  const beforeWrite = async (operation: WriteOperation, args: { model: string } & Record<string, unknown>) => {
    await stopSilentSend();
    await refuseEndedActor();
    await refuseDeletedOwner(operation, args.model, args);
  };
  // Updates only touch live `user` and `session` rows, also when a soft deletion commits after the checks above.
  const liveOnly = <T extends { model: string; where: Where[] }>(args: T): T =>
    args.model === "user" || args.model === "session" ? { ...args, where: [...args.where, live] } : args;

  adapter.findOne = (async (args: Parameters<DBAdapter["findOne"]>[0]) => {
    await stopSilentSend();
    const row = await findOne({ ...args, where: readWhere(args.model, args.where) ?? [] });
    return args.model === "session" && row && !joinedUserIsLive(row) ? null : row;
  }) as DBAdapter["findOne"];

  adapter.findMany = (async (args: Parameters<DBAdapter["findMany"]>[0]) => {
    await stopSilentSend();
    const rows = await findMany({ ...args, where: readWhere(args.model, args.where) });
    return args.model === "session" ? rows.filter(joinedUserIsLive) : rows;
  }) as DBAdapter["findMany"];

  adapter.count = async (args) => {
    await stopSilentSend();
    return count({ ...args, where: readWhere(args.model, args.where) });
  };

  adapter.create = (async (args: Parameters<DBAdapter["create"]>[0]) => {
    await beforeWrite("create", args);
    return original.create(args);
  }) as DBAdapter["create"];

  adapter.update = (async (args: Parameters<DBAdapter["update"]>[0]) => {
    await beforeWrite("update", args);
    return original.update(liveOnly(args));
  }) as DBAdapter["update"];

  adapter.updateMany = async (args) => {
    await beforeWrite("updateMany", args);
    return original.updateMany(liveOnly(args));
  };

  adapter.delete = (async (args: Parameters<DBAdapter["delete"]>[0]) => {
    await beforeWrite("delete", args);
    return original.delete(args);
  }) as DBAdapter["delete"];

  adapter.deleteMany = async (args) => {
    await beforeWrite("deleteMany", args);
    return original.deleteMany(args);
  };

  const { consumeOne, incrementOne } = original;
  if (consumeOne) {
    adapter.consumeOne = (async (args: Parameters<DBAdapter["consumeOne"]>[0]) => {
      await beforeWrite("consumeOne", args);
      return consumeOne(args);
    }) as DBAdapter["consumeOne"];
  }
  if (incrementOne) {
    adapter.incrementOne = (async (args: Parameters<DBAdapter["incrementOne"]>[0]) => {
      await beforeWrite("incrementOne", args);
      return incrementOne(liveOnly(args));
    }) as DBAdapter["incrementOne"];
  }

  adapter.transaction = ((callback: (trx: DBAdapter) => Promise<unknown>) =>
    transaction((trx) => {
      guardAdapter(trx as DBAdapter);
      return callback(trx as DBAdapter);
    })) as DBAdapter["transaction"];

  return probe;
}

/** A session row read with `join: { user: true }` is live only when its joined user (if any) is not deleted. */
const joinedUserIsLive = (row: unknown): boolean => {
  const user = (row as Row | null)?.user;
  return !(user && typeof user === "object" && user.deletedAt != null);
};
