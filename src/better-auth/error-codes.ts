/**
 * The errors `softDeletePlugin()` adds to Better Auth, as `{ code, message }` pairs. They reach the client as a
 * Better Auth `APIError` whose `body.code` is the key (stable across versions) and `body.message` the text.
 *
 * - `USER_DELETED` (HTTP 403 `FORBIDDEN`): the user is soft-deleted, so Better Auth may not act for them:
 *   - no session is created for them (sign-in by password or by any other method, also a sign-in that raced
 *     `softDeleteUser`, or any other path that creates a session);
 *   - a request made on their session (one still in the cookie cache) may not write anything nor re-issue the
 *     cookie cache; the response also clears the session cookies;
 *   - no request writes their `user` or `account` rows.
 */
export const SOFT_DELETE_ERROR_CODES = {
  USER_DELETED: { code: "USER_DELETED", message: "This account has been deleted." },
} as const;
