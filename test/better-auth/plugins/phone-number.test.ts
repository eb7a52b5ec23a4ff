/**
 * phoneNumber() through Better Auth on `migrate(db, { plugins: ['phoneNumber'] })`: OTP sign-in with the code
 * captured from `sendOTP`, the user made on verification, then sign-in by phone number and password.
 */
import { phoneNumber } from "better-auth/plugins/phone-number";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cookieFrom, failure, pluginAuth, pluginDatabase } from "./support.js";

describe("phoneNumber()", () => {
  let d: Awaited<ReturnType<typeof pluginDatabase<"phoneNumber">>>;
  beforeAll(async () => {
    d = await pluginDatabase("plugin_phone_number", ["phoneNumber"]);
  });
  afterAll(() => d?.close());

  it("signs up and in with an OTP sent by SMS (captured), marks the number verified", async () => {
    const sent: { phoneNumber: string; code: string }[] = [];
    const auth = pluginAuth(d.db, d.s.authSchema, [
      phoneNumber({
        sendOTP: ({ phoneNumber: to, code }) => {
          sent.push({ phoneNumber: to, code });
        },
        signUpOnVerification: {
          getTempEmail: (to) => `${to.replace(/\D/g, "")}@phone.example.test`,
          getTempName: (to) => to,
        },
      }),
    ]);
    const number = "+15550001234";
    await auth.api.sendPhoneNumberOTP({ body: { phoneNumber: number } });
    expect(sent).toHaveLength(1);
    const code = sent[0]?.code as string;
    expect(code).toMatch(/^\d{6}$/);

    const wrong = code === "000000" ? "111111" : "000000";
    await failure(auth.api.verifyPhoneNumber({ body: { phoneNumber: number, code: wrong } }));
    const { headers, response } = await auth.api.verifyPhoneNumber({
      body: { phoneNumber: number, code },
      returnHeaders: true,
    });
    const userId = response?.user.id as string;
    const [row] = await d.db.select().from(d.s.userTable).where(eq(d.s.userTable.id, userId));
    expect(row).toMatchObject({
      phoneNumber: number,
      phoneNumberVerified: true,
      email: "15550001234@phone.example.test",
    });
    expect((await auth.api.getSession({ headers: cookieFrom(headers) }))?.user.id).toBe(userId);

    // Another user cannot have the same number: phone_number is unique.
    await expect(
      d.db.insert(d.s.userTable).values({ name: "x", email: "x@example.test", phoneNumber: number }),
    ).rejects.toThrow();
  });
});
