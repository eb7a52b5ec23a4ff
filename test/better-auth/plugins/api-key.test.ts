/**
 * apiKey() from @better-auth/api-key through Better Auth on `migrate(db, { plugins: ['apiKey'] })`: create a key
 * (only its hash is stored), verify it, and its per-key rate limit refuses the request over the limit.
 */
import { apiKey } from "@better-auth/api-key";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cookieFrom, newEmail, password, pluginAuth, pluginDatabase } from "./support.js";

describe("apiKey()", () => {
  let d: Awaited<ReturnType<typeof pluginDatabase<"apiKey">>>;
  beforeAll(async () => {
    d = await pluginDatabase("plugin_api_key", ["apiKey"]);
  });
  afterAll(() => d?.close());

  it("creates a key for the user, verifies it, and rate-limits it per key", async () => {
    const auth = pluginAuth(d.db, d.s.authSchema, [apiKey()]);
    const signedUp = await auth.api.signUpEmail({
      body: { email: newEmail(), password, name: "Ada" },
      returnHeaders: true,
    });
    const userId = signedUp.response.user.id;
    const created = await auth.api.createApiKey({
      body: { userId, name: "ci", rateLimitEnabled: true, rateLimitMax: 2, rateLimitTimeWindow: 60_000 },
    });
    const [row] = await d.db.select().from(d.s.apikeyTable).where(eq(d.s.apikeyTable.id, created.id));
    expect(row).toMatchObject({ referenceId: userId, name: "ci", configId: "default", rateLimitMax: 2 });
    expect(row?.rateLimitTimeWindow).toBe(60_000);
    expect(row?.key).not.toBe(created.key);
    expect(row?.createdAt).toBeInstanceOf(Date);

    const first = await auth.api.verifyApiKey({ body: { key: created.key } });
    expect(first).toMatchObject({ valid: true, error: null });
    expect(first.key?.referenceId).toBe(userId);
    expect((await auth.api.verifyApiKey({ body: { key: created.key } })).valid).toBe(true);
    const third = await auth.api.verifyApiKey({ body: { key: created.key } });
    expect(third).toMatchObject({ valid: false, error: { code: "RATE_LIMITED" } });
    expect((await auth.api.verifyApiKey({ body: { key: `${created.key}x` } })).valid).toBe(false);

    const listed = await auth.api.listApiKeys({ headers: cookieFrom(signedUp.headers) });
    expect(JSON.stringify(listed)).toContain(created.id);
    const [after] = await d.db.select().from(d.s.apikeyTable).where(eq(d.s.apikeyTable.id, created.id));
    expect(after?.requestCount).toBe(2);
    expect(after?.lastRequest).toBeInstanceOf(Date);
  });
});
