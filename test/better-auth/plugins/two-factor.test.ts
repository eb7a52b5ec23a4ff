/**
 * twoFactor() through Better Auth on `migrate(db, { plugins: ['twoFactor'] })`: enable, verify a TOTP code this
 * test computes (RFC 6238 with node:crypto, not Better Auth's code), sign-in then asks for the second factor, and a
 * backup code is accepted once.
 */
import { createHmac } from "node:crypto";
import { twoFactor } from "better-auth/plugins/two-factor";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cookieFrom, failure, newEmail, password, pluginAuth, pluginDatabase } from "./support.js";

/** RFC 4648 base32 decoding (the `secret` of an otpauth:// URI). */
function base32(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of text.replace(/=+$/, "").toUpperCase()) bits += alphabet.indexOf(char).toString(2).padStart(5, "0");
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(Number.parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 6238 TOTP: HMAC-SHA1, 30-second steps, 6 digits. */
function totp(secret: Buffer, at = Date.now()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const mac = createHmac("sha1", secret).update(counter).digest();
  const offset = (mac.at(-1) ?? 0) & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

describe("twoFactor()", () => {
  let d: Awaited<ReturnType<typeof pluginDatabase<"twoFactor">>>;
  beforeAll(async () => {
    d = await pluginDatabase("plugin_two_factor", ["twoFactor"]);
  });
  afterAll(() => d?.close());

  it("enables TOTP, verifies a computed code, asks for it at sign-in, accepts a backup code once", async () => {
    const auth = pluginAuth(d.db, d.s.authSchema, [twoFactor()]);
    const email = newEmail();
    const signedUp = await auth.api.signUpEmail({ body: { email, password, name: "Ada" }, returnHeaders: true });
    const userId = signedUp.response.user.id;
    let cookie = cookieFrom(signedUp.headers);

    const enabled = await auth.api.enableTwoFactor({ headers: cookie, body: { password } });
    if (enabled.method !== "totp") throw new Error(`expected TOTP, got ${enabled.method}`);
    expect(enabled.backupCodes.length).toBeGreaterThan(0);
    const secret = base32(new URL(enabled.totpURI).searchParams.get("secret") as string);
    const [stored] = await d.db.select().from(d.s.twoFactorTable).where(eq(d.s.twoFactorTable.userId, userId));
    expect(stored).toMatchObject({ userId, verified: false, failedVerificationCount: 0 });

    const verified = await auth.api.verifyTOTP({ headers: cookie, body: { code: totp(secret) }, returnHeaders: true });
    cookie = cookieFrom(verified.headers, cookie);
    const [user] = await d.db.select().from(d.s.userTable).where(eq(d.s.userTable.id, userId));
    expect(user?.twoFactorEnabled).toBe(true);

    // Sign-in now stops at the second factor.
    const first = await auth.api.signInEmail({ body: { email, password }, returnHeaders: true });
    expect(first.response).toMatchObject({ twoFactorRedirect: true });
    const pending = cookieFrom(first.headers);
    expect(await auth.api.getSession({ headers: pending })).toBeNull();
    await failure(auth.api.verifyTOTP({ headers: pending, body: { code: totp(secret, Date.now() - 300_000) } }));
    const second = await auth.api.verifyTOTP({ headers: pending, body: { code: totp(secret) }, returnHeaders: true });
    expect((await auth.api.getSession({ headers: cookieFrom(second.headers, pending) }))?.user.id).toBe(userId);

    // A backup code instead of the TOTP, once.
    const backup = enabled.backupCodes[0] as string;
    const again = cookieFrom((await auth.api.signInEmail({ body: { email, password }, returnHeaders: true })).headers);
    const byBackup = await auth.api.verifyBackupCode({ headers: again, body: { code: backup }, returnHeaders: true });
    expect((await auth.api.getSession({ headers: cookieFrom(byBackup.headers, again) }))?.user.id).toBe(userId);
    const third = cookieFrom((await auth.api.signInEmail({ body: { email, password }, returnHeaders: true })).headers);
    await failure(auth.api.verifyBackupCode({ headers: third, body: { code: backup } }));
  });
});
