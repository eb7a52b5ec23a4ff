/**
 * Soft delete and `passkey()` (issue 10, proof point 4): with `softDeletePlugin()` beside `@better-auth/passkey`, on
 * `migrate(db, { plugins: ['passkey'] })`, a user soft-deleted by `softDeleteUser` cannot sign in with a passkey
 * registered before (the full WebAuthn ceremony of ./webauthn.ts), and signs in with it again once restored.
 */
import { passkey } from "@better-auth/passkey";
import { and, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { softDeletePlugin } from "../../../src/better-auth/index.js";
import { restore, softDeleteUser } from "../../../src/soft-delete/index.js";
import { cookieFrom, failure, newEmail, password, pluginAuth, pluginDatabase } from "./support.js";
import { authenticator, origin, rpId, withOrigin } from "./webauthn.js";

describe("softDeletePlugin() with passkey()", () => {
  let d: Awaited<ReturnType<typeof pluginDatabase<"passkey">>>;
  let auth: ReturnType<typeof makeAuth>;
  const makeAuth = () => pluginAuth(d.db, d.s.authSchema, [softDeletePlugin(), passkey({ rpID: rpId, origin })]);
  beforeAll(async () => {
    d = await pluginDatabase("plugin_passkey_soft_delete", ["passkey"]);
    auth = makeAuth();
  });
  afterAll(() => d?.close());

  /** The passkey sign-in ceremony with `device`: authentication options, then their verification. */
  async function signInWith(device: ReturnType<typeof authenticator>, userId: string) {
    const options = await auth.api.generatePasskeyAuthenticationOptions({ returnHeaders: true });
    return auth.api.verifyPasskeyAuthentication({
      headers: withOrigin(cookieFrom(options.headers)),
      body: { response: device.get(options.response.challenge, userId) },
      returnHeaders: true,
    });
  }
  const liveSessions = (userId: string) =>
    d.db
      .select()
      .from(d.s.sessionTable)
      .where(and(eq(d.s.sessionTable.userId, userId), isNull(d.s.sessionTable.deletedAt)));

  it("a soft-deleted user cannot sign in by passkey; restored, they can again", async () => {
    const signedUp = await auth.api.signUpEmail({
      body: { email: newEmail(), password, name: "Pia" },
      returnHeaders: true,
    });
    const userId = signedUp.response.user.id;
    let cookie = cookieFrom(signedUp.headers);
    const device = authenticator();
    const registration = await auth.api.generatePasskeyRegistrationOptions({ headers: cookie, returnHeaders: true });
    cookie = cookieFrom(registration.headers, cookie);
    await auth.api.verifyPasskeyRegistration({
      headers: withOrigin(cookie),
      body: { response: device.create(registration.response.challenge), name: "phone" },
    });
    expect(await d.db.select().from(d.s.passkeyTable).where(eq(d.s.passkeyTable.userId, userId))).toHaveLength(1);

    expect((await softDeleteUser(d.db, userId)).sessionsEnded).toBe(1);
    const refused = await failure(signInWith(device, userId));
    expect(refused.statusCode).toBe(403);
    expect(refused.body?.code).toBe("USER_DELETED");
    expect(await liveSessions(userId)).toEqual([]);
    // The passkey is kept, as it was: a restore brings it back.
    expect(await d.db.select().from(d.s.passkeyTable).where(eq(d.s.passkeyTable.userId, userId))).toHaveLength(1);

    await restore(d.db, d.s.userTable, eq(d.s.userTable.id, userId));
    const signedIn = await signInWith(device, userId);
    const session = await auth.api.getSession({ headers: cookieFrom(signedIn.headers) });
    expect(session?.user.id).toBe(userId);
    expect(await liveSessions(userId)).toHaveLength(1);
  });
});
