/** anonymous() through Better Auth on `migrate(db, { plugins: ['anonymous'] })`: sign in anonymously, then link. */
import { anonymous } from "better-auth/plugins/anonymous";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cookieFrom, newEmail, password, pluginAuth, pluginDatabase } from "./support.js";

describe("anonymous()", () => {
  let d: Awaited<ReturnType<typeof pluginDatabase<"anonymous">>>;
  beforeAll(async () => {
    d = await pluginDatabase("plugin_anonymous", ["anonymous"]);
  });
  afterAll(() => d?.close());

  it("signs in anonymously (is_anonymous true), then links to a new email account and removes the anonymous user", async () => {
    const linked: { anonymous: string; user: string }[] = [];
    const auth = pluginAuth(d.db, d.s.authSchema, [
      anonymous({
        onLinkAccount: async ({ anonymousUser, newUser }) => {
          linked.push({ anonymous: anonymousUser.user.id, user: newUser.user.id });
        },
      }),
    ]);
    const { headers, response } = await auth.api.signInAnonymous({ returnHeaders: true });
    const anonymousId = response?.user.id as string;
    const [row] = await d.db.select().from(d.s.userTable).where(eq(d.s.userTable.id, anonymousId));
    expect(row?.isAnonymous).toBe(true);
    const cookie = cookieFrom(headers);
    expect((await auth.api.getSession({ headers: cookie }))?.user.id).toBe(anonymousId);

    const email = newEmail();
    const signedUp = await auth.api.signUpEmail({ headers: cookie, body: { email, password, name: "Ada" } });
    expect(linked).toEqual([{ anonymous: anonymousId, user: signedUp.user.id }]);
    const [user] = await d.db.select().from(d.s.userTable).where(eq(d.s.userTable.id, signedUp.user.id));
    expect(user?.isAnonymous).toBe(false);
    expect(await d.db.select().from(d.s.userTable).where(eq(d.s.userTable.id, anonymousId))).toEqual([]);
  });
});
