import { emailOTP, magicLink } from "better-auth/plugins";
import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { userTable, verificationTable } from "../../src/schema/index.js";
import { softDeleteUser } from "../../src/soft-delete/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { answerOf, codeOf, makeAuth, newEmail, request, rowsOf, signUp } from "./soft-delete-auth.js";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("soft_delete_no_session", { migrated: true });
});
afterAll(() => t.close());

/** Every message Better Auth asked the host to send, by kind, through the real callbacks the host passes. */
type Sent = { kind: string; email: string; token?: string; url?: string };
let sent: Sent[] = [];
beforeEach(() => {
  sent = [];
});
const sentTo = (email: string) => sent.filter((message) => message.email.toLowerCase() === email.toLowerCase());

const auth = () =>
  makeAuth(t.db, {
    emailAndPassword: {
      enabled: true,
      sendResetPassword: async ({ user, token, url }) => {
        sent.push({ kind: "reset-password", email: user.email, token, url });
      },
    },
    emailVerification: {
      sendVerificationEmail: async ({ user, token, url }) => {
        sent.push({ kind: "verification", email: user.email, token, url });
      },
    },
    plugins: [
      magicLink({
        sendMagicLink: async ({ email, token, url }) => {
          sent.push({ kind: "magic-link", email, token, url });
        },
      }),
      emailOTP({
        sendVerificationOTP: async ({ email, otp, type }) => {
          sent.push({ kind: `otp:${type}`, email, token: otp });
        },
      }),
    ],
  });
let instance: ReturnType<typeof auth>;
beforeAll(() => {
  instance = auth();
});

const verificationRows = async () => (await t.db.select({ n: count() }).from(verificationTable))[0]?.n ?? 0;

/** A user who signed up (email not verified) and was then soft-deleted; their rows as they were. */
async function deletedUser() {
  const { email, userId } = await signUp(instance);
  await softDeleteUser(t.db, userId);
  return { email, userId, rows: await rowsOf(t.db, userId) };
}

/**
 * Sends the same request for the soft-deleted user's email and for an email no account has, and expects the same
 * status and body, no message for the soft-deleted user, and none of their rows (nor the verification table)
 * changed by their request.
 */
async function expectAnsweredAsUnknown(path: string, body: (email: string) => Record<string, unknown>) {
  const user = await deletedUser();
  const verificationsBefore = await verificationRows();
  const forDeleted = await answerOf(await request(instance, path, { body: body(user.email) }));
  expect(await verificationRows(), `${path} stored nothing for the soft-deleted user`).toBe(verificationsBefore);
  const forUnknown = await answerOf(await request(instance, path, { body: body(newEmail()) }));
  expect(forDeleted, path).toEqual(forUnknown);
  expect(sentTo(user.email), `${path} sent nothing to the soft-deleted user`).toEqual([]);
  expect(await rowsOf(t.db, user.userId)).toEqual(user.rows);
  return forDeleted;
}

/** Asks for a message for `email` through `path` and returns the token (or code) it carried. */
async function tokenSentTo(email: string, path: string, body: Record<string, unknown> = {}) {
  await request(instance, path, { body: { email, ...body } });
  const token = sentTo(email).at(-1)?.token;
  if (typeof token !== "string") throw new Error(`${path} sent no token to ${email}`);
  return token;
}

/** A user who got a token through `path` while live, then was soft-deleted; their rows as they were then. */
async function deletedUserWithToken(path: string, body: Record<string, unknown> = {}) {
  const { email, userId } = await signUp(instance);
  const token = await tokenSentTo(email, path, body);
  await softDeleteUser(t.db, userId);
  return { email, userId, token, before: await rowsOf(t.db, userId) };
}

/** A token sent through `path` to a user whose account was then deleted for good: Better Auth's unknown user. */
async function goneUserWithToken(path: string, body: Record<string, unknown> = {}) {
  const { email, userId } = await signUp(instance);
  const token = await tokenSentTo(email, path, body);
  await t.db.delete(userTable).where(eq(userTable.id, userId));
  return { email, token };
}

describe("softDeletePlugin(): flows without a session treat a soft-deleted user as an unknown email", () => {
  it("sends to live users (control: the callbacks are wired)", async () => {
    const { email } = await signUp(instance);
    await request(instance, "/request-password-reset", { body: { email } });
    await request(instance, "/sign-in/magic-link", { body: { email } });
    await request(instance, "/email-otp/send-verification-otp", { body: { email, type: "sign-in" } });
    expect(sentTo(email).map((message) => message.kind)).toEqual(["reset-password", "magic-link", "otp:sign-in"]);
  });

  it("password reset request: no email, no token, Better Auth's answer for an unknown email", async () => {
    const answer = await expectAnsweredAsUnknown("/request-password-reset", (email) => ({ email }));
    expect(answer.status).toBe(200);
  });

  it("password reset with a token issued before the deletion: refused as for a user that does not exist, hash kept", async () => {
    const { userId, token, before } = await deletedUserWithToken("/request-password-reset");
    const { token: goneToken } = await goneUserWithToken("/request-password-reset");
    const newPassword = "a brand new password";
    const forDeleted = await answerOf(await request(instance, "/reset-password", { body: { token, newPassword } }));
    const forUnknown = await answerOf(
      await request(instance, "/reset-password", { body: { token: goneToken, newPassword } }),
    );
    expect(forDeleted).toEqual(forUnknown);
    expect(forDeleted.status).toBe(400);
    expect(await rowsOf(t.db, userId)).toEqual(before);
  });

  it("send verification email (no session): nothing sent, same answer as for an unknown email", async () => {
    await expectAnsweredAsUnknown("/send-verification-email", (email) => ({ email }));
  });

  it("verify email with a token issued before the deletion: emailVerified stays false, same answer as unknown", async () => {
    const { userId, token, before } = await deletedUserWithToken("/send-verification-email");
    const { token: unknownToken } = await goneUserWithToken("/send-verification-email");

    const forDeleted = await answerOf(await request(instance, `/verify-email?token=${token}`));
    const forUnknown = await answerOf(await request(instance, `/verify-email?token=${unknownToken}`));
    expect(forDeleted).toEqual(forUnknown);
    expect(await rowsOf(t.db, userId)).toEqual(before);
    expect(before.user?.emailVerified).toBe(false);
  });

  it("magic link: no link sent, nothing stored, the same { status: true } as for any address", async () => {
    const answer = await expectAnsweredAsUnknown("/sign-in/magic-link", (email) => ({ email }));
    expect(answer).toEqual({ status: 200, body: JSON.stringify({ status: true }) });
  });

  it("email OTP, every type: no code sent, nothing stored, the same answer as for an unknown email", async () => {
    for (const type of ["sign-in", "email-verification", "forget-password"]) {
      const answer = await expectAnsweredAsUnknown("/email-otp/send-verification-otp", (email) => ({ email, type }));
      expect(answer).toEqual({ status: 200, body: JSON.stringify({ success: true }) });
    }
    await expectAnsweredAsUnknown("/email-otp/request-password-reset", (email) => ({ email }));
    await expectAnsweredAsUnknown("/forget-password/email-otp", (email) => ({ email }));
  });

  it("email OTP verify-email with a code sent before the deletion: emailVerified stays false, same answer as unknown", async () => {
    const otpPath = "/email-otp/send-verification-otp";
    const { email, userId, token: otp, before } = await deletedUserWithToken(otpPath, { type: "email-verification" });
    const gone = await goneUserWithToken(otpPath, { type: "email-verification" });
    const forDeleted = await answerOf(await request(instance, "/email-otp/verify-email", { body: { email, otp } }));
    const forUnknown = await answerOf(
      await request(instance, "/email-otp/verify-email", { body: { email: gone.email, otp: gone.token } }),
    );
    expect(forDeleted).toEqual(forUnknown);
    expect(forDeleted.status).toBe(400);
    expect(await rowsOf(t.db, userId)).toEqual(before);
    expect(before.user?.emailVerified).toBe(false);
  });

  it("a bad request is refused as for an unknown email too (the check runs after Better Auth's own validation)", async () => {
    await expectAnsweredAsUnknown("/sign-in/magic-link", (email) => ({ email, callbackURL: 42 }));
    await expectAnsweredAsUnknown("/email-otp/send-verification-otp", (email) => ({ email, type: "no-such-type" }));
  });
});

describe("softDeletePlugin(): flows that sign in by proof of the email refuse a soft-deleted user without changing them", () => {
  it("a magic link sent before the deletion: 403 USER_DELETED, no session, the unverified user's accounts kept", async () => {
    const { userId, token, before } = await deletedUserWithToken("/sign-in/magic-link");
    expect(before.user?.emailVerified).toBe(false);
    expect(before.accounts).toHaveLength(1);

    const response = await request(instance, `/magic-link/verify?token=${token}`);
    expect(response.status).toBe(403);
    expect(await codeOf(response)).toBe("USER_DELETED");
    // Better Auth would first strip the unverified user's password account and mark the email verified.
    expect(await rowsOf(t.db, userId)).toEqual(before);
  });
});
