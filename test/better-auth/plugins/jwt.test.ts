/**
 * jwt() through Better Auth on `migrate(db, { plugins: ['jwt'] })`: a token for the session, verified here with
 * node:crypto against the key Better Auth publishes in its JWKS, which is the row in `jwks`.
 */
import { createPublicKey, verify } from "node:crypto";
import { jwt } from "better-auth/plugins/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cookieFrom, newEmail, password, pluginAuth, pluginDatabase } from "./support.js";

describe("jwt()", () => {
  let d: Awaited<ReturnType<typeof pluginDatabase<"jwt">>>;
  beforeAll(async () => {
    d = await pluginDatabase("plugin_jwt", ["jwt"]);
  });
  afterAll(() => d?.close());

  it("issues a token signed by the key stored in jwks and published by the JWKS endpoint", async () => {
    const auth = pluginAuth(d.db, d.s.authSchema, [jwt()]);
    const signedUp = await auth.api.signUpEmail({
      body: { email: newEmail(), password, name: "Ada" },
      returnHeaders: true,
    });
    const { token } = await auth.api.getToken({ headers: cookieFrom(signedUp.headers) });
    const { keys } = await auth.api.getJwks();
    const rows = await d.db.select().from(d.s.jwksTable);
    expect(rows).toHaveLength(1);
    expect(keys.map((k) => k.kid)).toEqual([rows[0]?.id]);
    expect(rows[0]?.createdAt).toBeInstanceOf(Date);

    const [header, payload, signature] = token.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    expect(claims.sub).toBe(signedUp.response.user.id);
    const { kid, alg } = JSON.parse(Buffer.from(header, "base64url").toString());
    expect(kid).toBe(rows[0]?.id);
    expect(alg).toBe("EdDSA");
    const key = createPublicKey({ key: keys[0] as never, format: "jwk" });
    expect(verify(null, Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, "base64url"))).toBe(true);
  });
});
