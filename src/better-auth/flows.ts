/**
 * Better Auth endpoints (core, `emailOTP`, `magicLink`) that need no session and find the account by an email
 * address or a token. While one of them runs, the plugin's adapter does not find soft-deleted users, so Better Auth
 * takes its own unknown-user path: it sends nothing, changes nothing, and answers exactly as for an address that
 * has no account (no account enumeration).
 */
export const UNKNOWN_USER_PATHS: ReadonlySet<string> = new Set([
  "/request-password-reset",
  "/reset-password",
  "/send-verification-email",
  "/verify-email",
  "/email-otp/check-verification-otp",
  "/email-otp/verify-email",
  "/email-otp/request-password-reset",
  "/forget-password/email-otp",
  "/email-otp/reset-password",
]);

/**
 * Endpoints whose unknown-user path still sends a message (a sign-in link or code lets a new person sign up), so
 * hiding the user is not enough: when the request's `email` belongs to a soft-deleted user, the plugin stops the
 * endpoint before its first database call (before anything is stored or sent) and answers what the endpoint
 * answers for any address.
 */
export const SILENT_SEND_ANSWERS: ReadonlyMap<string, Record<string, unknown>> = new Map([
  ["/sign-in/magic-link", { status: true }],
  ["/email-otp/send-verification-otp", { success: true }],
]);
