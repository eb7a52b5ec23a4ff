/** username() through Better Auth on `migrate(db, { plugins: ['username'] })`: sign up and sign in by username. */
import { username } from "better-auth/plugins/username";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cookieFrom, failure, newEmail, password, pluginAuth, pluginDatabase } from "./support.js";

describe("username()", () => {
  let d: Awaited<ReturnType<typeof pluginDatabase<"username">>>;
  beforeAll(async () => {
    d = await pluginDatabase("plugin_username", ["username"]);
  });
  afterAll(() => d?.close());

  it("signs up with a username, stores it normalized, signs in by username; a taken username is refused", async () => {
    const auth = pluginAuth(d.db, d.s.authSchema, [username()]);
    const email = newEmail();
    const signedUp = await auth.api.signUpEmail({ body: { email, password, name: "Ada", username: "Ada_Lovelace" } });
    const [row] = await d.db.select().from(d.s.userTable).where(eq(d.s.userTable.id, signedUp.user.id));
    expect(row).toMatchObject({ username: "ada_lovelace", displayUsername: "Ada_Lovelace" });

    const { headers, response } = await auth.api.signInUsername({
      body: { username: "ada_lovelace", password },
      returnHeaders: true,
    });
    expect(response?.user.id).toBe(signedUp.user.id);
    expect((await auth.api.getSession({ headers: cookieFrom(headers) }))?.user.id).toBe(signedUp.user.id);

    await failure(auth.api.signInUsername({ body: { username: "ada_lovelace", password: "wrong password!" } }));
    const taken = await failure(
      auth.api.signUpEmail({ body: { email: newEmail(), password, name: "Other", username: "ADA_LOVELACE" } }),
    );
    expect(taken.body?.code).toBe("USERNAME_IS_ALREADY_TAKEN");
    expect(await auth.api.isUsernameAvailable({ body: { username: "someone_else" } })).toEqual({ available: true });
  });
});
