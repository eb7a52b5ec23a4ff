/**
 * passkey() from @better-auth/passkey through Better Auth on `migrate(db, { plugins: ['passkey'] })`: a full
 * WebAuthn ceremony with the software authenticator of ./webauthn.ts: registration options, registration (the row
 * stored in `passkey`), authentication options, and sign-in by passkey (a session, and the signature counter
 * updated).
 */
import { passkey } from "@better-auth/passkey";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cookieFrom, newEmail, password, pluginAuth, pluginDatabase } from "./support.js";
import { authenticator, origin, rpId, withOrigin } from "./webauthn.js";

describe("passkey()", () => {
  let d: Awaited<ReturnType<typeof pluginDatabase<"passkey">>>;
  beforeAll(async () => {
    d = await pluginDatabase("plugin_passkey", ["passkey"]);
  });
  afterAll(() => d?.close());

  it("registers a passkey (the stored row) and signs in with it", async () => {
    const auth = pluginAuth(d.db, d.s.authSchema, [passkey({ rpID: rpId, origin })]);
    const signedUp = await auth.api.signUpEmail({
      body: { email: newEmail(), password, name: "Ada" },
      returnHeaders: true,
    });
    const userId = signedUp.response.user.id;
    let cookie = cookieFrom(signedUp.headers);
    const device = authenticator();

    const registration = await auth.api.generatePasskeyRegistrationOptions({ headers: cookie, returnHeaders: true });
    expect(registration.response.rp.id).toBe(rpId);
    cookie = cookieFrom(registration.headers, cookie);
    await auth.api.verifyPasskeyRegistration({
      headers: withOrigin(cookie),
      body: { response: device.create(registration.response.challenge), name: "laptop" },
    });
    const [row] = await d.db.select().from(d.s.passkeyTable).where(eq(d.s.passkeyTable.userId, userId));
    expect(row).toMatchObject({
      name: "laptop",
      credentialID: device.id,
      counter: 0,
      backedUp: false,
      transports: "internal",
    });
    expect(row?.deviceType).toBe("singleDevice");
    expect(row?.createdAt).toBeInstanceOf(Date);

    const authentication = await auth.api.generatePasskeyAuthenticationOptions({ returnHeaders: true });
    const challengeCookie = cookieFrom(authentication.headers);
    const signedIn = await auth.api.verifyPasskeyAuthentication({
      headers: withOrigin(challengeCookie),
      body: { response: device.get(authentication.response.challenge, userId) },
      returnHeaders: true,
    });
    const session = await auth.api.getSession({ headers: cookieFrom(signedIn.headers) });
    expect(session?.user.id).toBe(userId);
    const [after] = await d.db.select().from(d.s.passkeyTable).where(eq(d.s.passkeyTable.userId, userId));
    expect(after?.counter).toBe(1);
    expect((await auth.api.listPasskeys({ headers: cookie })).map((p) => p.id)).toEqual([row?.id]);
  });
});
