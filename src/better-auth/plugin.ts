import type { BetterAuthPlugin } from "better-auth";
import { createAuthMiddleware, isAPIError } from "better-auth/api";
import { deleteSessionCookie } from "better-auth/cookies";
import { guardAdapter, sessionEndedError, silentAnswerOf, userDeletedError } from "./adapter.js";
import { SOFT_DELETE_ERROR_CODES } from "./error-codes.js";
import { SILENT_SEND_ANSWERS } from "./flows.js";

const deletedAtField = {
  type: "date",
  required: false,
  // Nobody sets it through Better Auth's endpoints (sign-up, update-user): the soft-delete helpers do.
  input: false,
  // Not sent to clients: a live user or session always has `null` here.
  returned: false,
} as const;

type CreatedSession = { id: string; userId: string; token: string; expiresAt: Date | string } | null | undefined;
type ContextSession = { session?: { token?: unknown }; user?: { id?: unknown } } | null | undefined;

/**
 * Whether `setCookie` (one `Set-Cookie` header value) gives the cookie `name` (or one of its chunks, `name.0`, …)
 * a value: Better Auth (re-)signed the cookie cache in this response.
 */
const issues = (setCookie: string, name: string): boolean => {
  const [pair = "", ...attributes] = setCookie.split(";");
  const equals = pair.indexOf("=");
  const cookieName = pair.slice(0, equals).trim();
  if (cookieName !== name && !cookieName.startsWith(`${name}.`)) return false;
  if (pair.slice(equals + 1).trim() === "") return false;
  return !attributes.some((attribute) => /^\s*max-age\s*=\s*0\s*$/i.test(attribute));
};

/**
 * A Better Auth plugin that makes soft deletion (`deleted_at`, set by `softDelete` / `softDeleteUser` from
 * `@be-monorepo/db/soft-delete`) hold inside Better Auth. Add it with `plugins: [softDeletePlugin()]`.
 *
 * - **Soft-deleted sessions are not accepted.** Every read of the `session` model through the database adapter
 *   skips rows with `deletedAt` set, and drops sessions whose user has `deletedAt` set; `getSession` (and every
 *   endpoint behind Better Auth's session middleware) then answers as for an unknown session.
 * - **A soft-deleted user gets no new session**, also when the sign-in races `softDeleteUser`: a
 *   `session.create.before` hook refuses, and a `session.create.after` hook re-reads the user and, if a soft
 *   deletion committed meanwhile, ends the new session and refuses (403 `USER_DELETED`).
 * - **Nothing changes a soft-deleted user's data.** Writes made while serving a request whose session (also one
 *   read from the cookie cache) belongs to a soft-deleted user are refused with 403 `USER_DELETED`, and their
 *   `user` and `account` rows are not written by any request.
 * - **The cookie cache is never re-issued for a soft-deleted user or session**: a response that would re-sign it
 *   clears the session cookies instead and answers 403 `USER_DELETED` (`getSession`: `null`), so a cached session
 *   ends at the latest `session.cookieCache.maxAge` after its last issue.
 * - **Flows without a session answer as for an unknown email** (password reset, email verification, email OTP,
 *   magic link): nothing is sent or changed for a soft-deleted user (see `UNKNOWN_USER_PATHS` and
 *   `SILENT_SEND_ANSWERS`).
 * - **API keys of a soft-deleted user do not authenticate** (`@better-auth/api-key`): `verifyApiKey` answers
 *   `{ valid: false, error: { code: "USER_DELETED", … }, key: null }`, and a request carrying such a key gets no
 *   session from it (the plugin finds no user: 401).
 * - **The email stays taken**: sign-up with it gets Better Auth's usual answer for an existing email.
 * - Declares `deletedAt` on Better Auth's `user` and `session` models (`type: "date"`, not settable by clients,
 *   not returned to them), matching the package's `deleted_at` columns.
 *
 * Limits: within `cookieCache.maxAge` of its last issue, a cached session of a soft-deleted user still answers
 * endpoints that only read it (`getSession`, …); with `secondaryStorage`, sessions are read from that storage,
 * which knows nothing of `deleted_at`.
 */
export function softDeletePlugin() {
  return {
    id: "be-db-soft-delete",
    schema: {
      user: { fields: { deletedAt: deletedAtField } },
      session: { fields: { deletedAt: deletedAtField } },
    },
    $ERROR_CODES: SOFT_DELETE_ERROR_CODES,
    init(ctx) {
      // One plugin object may serve several Better Auth instances: each hook uses its own instance's adapter.
      const probe = guardAdapter(ctx.adapter);
      return {
        options: {
          databaseHooks: {
            session: {
              create: {
                before: async (session: { userId: string }) => {
                  if (await probe.userDeleted(session.userId)) throw userDeletedError();
                },
                // Runs once the insert committed: a soft deletion that committed between the check above and the
                // insert did not see this session, so it is ended here, as `softDeleteUser` would have.
                after: async (session: CreatedSession) => {
                  if (!session || !(await probe.userDeleted(session.userId))) return;
                  await probe.endSession(session);
                  throw userDeletedError();
                },
              },
            },
          },
        },
      };
    },
    hooks: {
      after: [
        {
          // `@better-auth/api-key`'s `verifyApiKey` (a server-only endpoint without a path) answers for the key
          // alone: a soft-deleted owner's key is not valid. Recognised by its answer, `{ valid, error, key }`.
          matcher: (context) => context.path === undefined || context.path === "/api-key/verify",
          handler: createAuthMiddleware(async (ctx) => {
            const returned = ctx.context.returned as
              | { valid?: unknown; error?: unknown; key?: { referenceId?: unknown } | null }
              | undefined;
            const owner = returned?.key?.referenceId;
            if (returned?.valid !== true || !("error" in returned) || typeof owner !== "string") return;
            if (!(await guardAdapter(ctx.context.adapter).userDeleted(owner))) return;
            return ctx.json({ valid: false, error: { ...SOFT_DELETE_ERROR_CODES.USER_DELETED }, key: null });
          }),
        },
        {
          matcher: (context) => context.path !== undefined && SILENT_SEND_ANSWERS.has(context.path),
          handler: createAuthMiddleware(async (ctx) => {
            const answer = silentAnswerOf(ctx.context.returned);
            if (answer) return ctx.json(answer);
          }),
        },
        {
          matcher: () => true,
          handler: createAuthMiddleware(async (ctx) => {
            if (ctx.context.options.session?.cookieCache?.enabled !== true || isAPIError(ctx.context.returned)) return;
            const name = ctx.context.authCookies.sessionData.name;
            const setCookies = ctx.context.responseHeaders?.getSetCookie() ?? [];
            if (!setCookies.some((setCookie) => issues(setCookie, name))) return;
            // The session the cache was issued for: the new one when the request made one (setSessionCookie), else
            // the request's own (getSession, setCookieCache). Not the old one a sign-in replaces.
            const issuedFor = (ctx.context.newSession ?? ctx.context.session) as ContextSession;
            const userId = issuedFor?.user?.id;
            const token = issuedFor?.session?.token;
            if (typeof userId !== "string" || typeof token !== "string") return;
            const ended = await guardAdapter(ctx.context.adapter).ended({ userId, token });
            if (!ended) return;
            deleteSessionCookie(ctx);
            if (ctx.path === "/get-session") return ctx.json(null);
            throw ended === "user" ? userDeletedError() : sessionEndedError();
          }),
        },
      ],
    },
  } satisfies BetterAuthPlugin;
}
