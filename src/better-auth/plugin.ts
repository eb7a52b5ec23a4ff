import type { BetterAuthPlugin } from "better-auth";
import { APIError } from "better-auth/api";
import { SOFT_DELETE_ERROR_CODES } from "./error-codes.js";
import { hideSoftDeletedSessions } from "./session-reads.js";

const deletedAtField = {
  type: "date",
  required: false,
  // Nobody sets it through Better Auth's endpoints (sign-up, update-user): the soft-delete helpers do.
  input: false,
  // Not sent to clients: a live user or session always has `null` here.
  returned: false,
} as const;

/**
 * A Better Auth plugin that makes soft deletion (`deleted_at`, set by `softDelete` / `softDeleteUser` from
 * `@be-monorepo/db/soft-delete`) hold inside Better Auth. Add it with `plugins: [softDeletePlugin()]`.
 *
 * - **Soft-deleted sessions are not accepted.** Every read of the `session` model through the database adapter
 *   skips rows with `deletedAt` set, and drops sessions whose user has `deletedAt` set; `getSession` (and every
 *   endpoint behind Better Auth's session middleware) then answers as for an unknown session: `null`, and the
 *   session cookie is cleared.
 * - **A soft-deleted user gets no new session.** A `session.create.before` database hook refuses to create a
 *   session for a user whose `deletedAt` is set, with `APIError` 403 `USER_DELETED` ("This account has been
 *   deleted."). Sign-in by email and password checks the password first, so a wrong password still gets
 *   Better Auth's usual `INVALID_EMAIL_OR_PASSWORD`.
 * - **The email stays taken.** A soft-deleted user's row still holds its `UNIQUE` email, and Better Auth still
 *   finds it, so signing up with that email gets Better Auth's usual answer for an existing email (422
 *   `USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL`, or its generic answer when it hides existing emails). Restore the
 *   user to let the person back in, or purge them (`purgeDeleted`) to free the email.
 * - Declares `deletedAt` on Better Auth's `user` and `session` models (`type: "date"`, not settable by clients,
 *   not returned to them), matching the package's `deleted_at` columns.
 *
 * Limits: with `session.cookieCache` enabled, a session already cached in a client's cookie is trusted without
 * a database read until the cache expires (`cookieCache.maxAge`, 300 seconds by default); pass
 * `query: { disableCookieCache: true }` where a soft deletion must count at once. With `secondaryStorage`,
 * sessions are read from that storage, which knows nothing of `deleted_at`.
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
      hideSoftDeletedSessions(ctx.adapter);
      return {
        options: {
          databaseHooks: {
            session: {
              create: {
                // `ctx.internalAdapter` is read at call time: Better Auth rebuilds it after every plugin's init.
                before: async (session) => {
                  const user = (await ctx.internalAdapter.findUserById(session.userId)) as {
                    deletedAt?: Date | null;
                  } | null;
                  if (user?.deletedAt != null) throw APIError.from("FORBIDDEN", SOFT_DELETE_ERROR_CODES.USER_DELETED);
                },
              },
            },
          },
        },
      };
    },
  } satisfies BetterAuthPlugin;
}
