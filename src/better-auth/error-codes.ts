/**
 * The errors `softDeletePlugin()` adds to Better Auth, as `{ code, message }` pairs. They reach the client as a
 * Better Auth `APIError` whose `body.code` is the key (stable across versions) and `body.message` the text.
 *
 * - `USER_DELETED` (HTTP 403 `FORBIDDEN`): the user is soft-deleted, so Better Auth may not create a session for
 *   them (sign-in by password or by any other method, or any other path that creates a session).
 */
export const SOFT_DELETE_ERROR_CODES = {
  USER_DELETED: { code: "USER_DELETED", message: "This account has been deleted." },
} as const;
