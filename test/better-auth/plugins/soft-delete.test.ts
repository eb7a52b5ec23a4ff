/**
 * Soft delete across Better Auth's plugins (issue 10, proof point 4): with `softDeletePlugin()` beside the real
 * plugins, on `migrate(db, { plugins })`, a user soft-deleted by `softDeleteUser` cannot authenticate through
 * username sign-in, phone-number OTP, an API key, an anonymous session's link, or an admin's impersonation; and
 * `softDeleteUser` works on a user with organization memberships, two-factor and API keys, keeping those rows.
 */
import { apiKey } from "@better-auth/api-key";
import { admin } from "better-auth/plugins/admin";
import { anonymous } from "better-auth/plugins/anonymous";
import { organization } from "better-auth/plugins/organization";
import { phoneNumber } from "better-auth/plugins/phone-number";
import { twoFactor } from "better-auth/plugins/two-factor";
import { username } from "better-auth/plugins/username";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { softDeletePlugin } from "../../../src/better-auth/index.js";
import { softDeleteUser } from "../../../src/soft-delete/index.js";
import { cookieFrom, failure, password, pluginAuth, pluginDatabase, signUp } from "./support.js";

const plugins = ["admin", "username", "twoFactor", "organization", "apiKey", "phoneNumber", "anonymous"] as const;

describe("softDeletePlugin() with Better Auth's plugins", () => {
  let d: Awaited<ReturnType<typeof pluginDatabase<(typeof plugins)[number]>>>;
  let auth: ReturnType<typeof makeAuth>;
  const sent: { phoneNumber: string; code: string }[] = [];
  const makeAuth = () =>
    pluginAuth(d.db, d.s.authSchema, [
      softDeletePlugin(),
      admin(),
      username(),
      twoFactor(),
      organization(),
      apiKey({ enableSessionForAPIKeys: true }),
      phoneNumber({
        sendOTP: ({ phoneNumber: to, code }) => {
          sent.push({ phoneNumber: to, code });
        },
      }),
      anonymous(),
    ]);
  beforeAll(async () => {
    d = await pluginDatabase("plugin_soft_delete", plugins);
    auth = makeAuth();
  });
  afterAll(() => d?.close());

  const codeOf = async (promise: Promise<unknown>) => (await failure(promise)).body?.code;

  it("username: sign-in by username is refused", async () => {
    const user = await signUp(auth, "Uma", { username: `uma${Date.now()}` });
    const [row] = await d.db.select().from(d.s.userTable).where(eq(d.s.userTable.id, user.id));
    await softDeleteUser(d.db, user.id);
    expect(await codeOf(auth.api.signInUsername({ body: { username: row?.username as string, password } }))).toBe(
      "USER_DELETED",
    );
  });

  it("phone number: the OTP sign-in is refused", async () => {
    const user = await signUp(auth, "Phil");
    const number = `+1555${String(Date.now()).slice(-7)}`;
    await d.db
      .update(d.s.userTable)
      .set({ phoneNumber: number, phoneNumberVerified: true })
      .where(eq(d.s.userTable.id, user.id));
    await softDeleteUser(d.db, user.id);
    await auth.api.sendPhoneNumberOTP({ body: { phoneNumber: number } });
    const code = sent.findLast((message) => message.phoneNumber === number)?.code as string;
    expect(await codeOf(auth.api.verifyPhoneNumber({ body: { phoneNumber: number, code } }))).toBe("USER_DELETED");
  });

  it("API key: the key no longer verifies and gives no session", async () => {
    const user = await signUp(auth, "Kay");
    const created = await auth.api.createApiKey({ body: { userId: user.id, name: "ci" } });
    const byKey = () => new Headers({ "x-api-key": created.key });
    expect((await auth.api.verifyApiKey({ body: { key: created.key } })).valid).toBe(true);
    expect((await auth.api.getSession({ headers: byKey() }))?.user.id).toBe(user.id);
    await softDeleteUser(d.db, user.id);
    const verified = await auth.api.verifyApiKey({ body: { key: created.key } });
    expect(verified).toMatchObject({ valid: false, error: { code: "USER_DELETED" }, key: null });
    // @better-auth/api-key's own answer for a key whose owner it cannot find.
    const refused = await failure(auth.api.getSession({ headers: byKey() }));
    expect(refused.statusCode).toBe(401);
    expect(refused.body?.code).toBe("INVALID_REFERENCE_ID_FROM_API_KEY");
  });

  it("anonymous: signing in to a soft-deleted account from an anonymous session is refused, nothing is linked", async () => {
    const target = await signUp(auth, "Tess");
    await softDeleteUser(d.db, target.id);
    const anon = await auth.api.signInAnonymous({ returnHeaders: true });
    const anonId = anon.response?.user.id as string;
    expect(
      await codeOf(
        auth.api.signInEmail({ body: { email: target.email, password }, headers: cookieFrom(anon.headers) }),
      ),
    ).toBe("USER_DELETED");
    // The anonymous user is kept (a link deletes it only once the sign-in succeeded).
    expect(await d.db.select().from(d.s.userTable).where(eq(d.s.userTable.id, anonId))).toHaveLength(1);
  });

  it("impersonation: an admin cannot impersonate a soft-deleted user", async () => {
    const boss = await signUp(auth, "Boss");
    await d.db.update(d.s.userTable).set({ role: "admin" }).where(eq(d.s.userTable.id, boss.id));
    const user = await signUp(auth, "Ivy");
    await softDeleteUser(d.db, user.id);
    expect(await codeOf(auth.api.impersonateUser({ headers: boss.cookie, body: { userId: user.id } }))).toBe(
      "USER_DELETED",
    );
  });

  it("softDeleteUser works on a user with a membership, two-factor and an API key, and keeps those rows", async () => {
    const user = await signUp(auth, "Mo");
    await auth.api.createOrganization({ headers: user.cookie, body: { name: "Acme", slug: `acme-${user.id}` } });
    await auth.api.enableTwoFactor({ headers: user.cookie, body: { password } });
    const key = await auth.api.createApiKey({ body: { userId: user.id, name: "deploy" } });
    const { sessionsEnded, user: deleted } = await softDeleteUser(d.db, user.id);
    expect(sessionsEnded).toBe(1);
    expect(deleted.deletedAt).toBeInstanceOf(Date);
    expect(await d.db.select().from(d.s.memberTable).where(eq(d.s.memberTable.userId, user.id))).toHaveLength(1);
    expect(await d.db.select().from(d.s.twoFactorTable).where(eq(d.s.twoFactorTable.userId, user.id))).toHaveLength(1);
    expect(await d.db.select().from(d.s.apikeyTable).where(eq(d.s.apikeyTable.id, key.id))).toHaveLength(1);
    expect(await auth.api.getSession({ headers: user.cookie })).toBeNull();
    expect(await codeOf(auth.api.signInEmail({ body: { email: user.email, password } }))).toBe("USER_DELETED");
  });
});
