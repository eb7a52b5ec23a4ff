import type { BetterAuthPlugin } from "better-auth";
import { createAuthEndpoint, sessionMiddleware } from "better-auth/api";
import { setSessionCookie } from "better-auth/cookies";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { sessionTable } from "../../src/schema/index.js";
import { softDelete, softDeleteUser } from "../../src/soft-delete/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { codeOf, issuesCookieCache, makeAuth, request, rowsOf, signUp } from "./soft-delete-auth.js";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("soft_delete_cookie_cache", { migrated: true });
});
afterAll(() => t.close());
afterEach(() => {
  vi.useRealTimers();
});

/**
 * A host's own endpoint that re-issues the session cookies (and so the cookie cache) from the session it was
 * given, without writing anything: the plugin must not let it extend a soft-deleted user's cached session.
 */
const reissuePlugin = {
  id: "test-reissue",
  endpoints: {
    reissue: createAuthEndpoint("/test/reissue", { method: "POST", use: [sessionMiddleware] }, async (ctx) => {
      await setSessionCookie(ctx, ctx.context.session);
      return ctx.json({ reissued: true });
    }),
  },
} satisfies BetterAuthPlugin;

const maxAge = 60; // seconds
const makeCachedAuth = () =>
  makeAuth(t.db, { session: { cookieCache: { enabled: true, maxAge } }, plugins: [reissuePlugin] });

// Better Auth reads the app clock only (Date.now(), new Date()), so faking Date alone moves its time: the cookie
// cache's expiry, the session's. The database keeps its own clock.
const start = Date.UTC(2030, 0, 1);
const at = (seconds: number) => vi.setSystemTime(start + seconds * 1000);

/** At second 0 of a faked clock: a Better Auth with the cookie cache, and a user who just signed up. */
async function signedUpWithCache() {
  vi.useFakeTimers({ toFake: ["Date"] });
  at(0);
  const auth = makeCachedAuth();
  return { auth, ...(await signUp(auth)) };
}

describe("softDeletePlugin() with session.cookieCache", () => {
  it("ends a soft-deleted user's cached session within maxAge whatever they call, and refuses every change", async () => {
    const { auth, userId, jar } = await signedUpWithCache();
    expect(jar.names()).toContain("better-auth.session_data");
    await softDeleteUser(t.db, userId);
    const before = await rowsOf(t.db, userId);

    // An attacker replays every cookie they ever got and ignores deletions, calling every 10 s for 3 × maxAge.
    for (let second = 10; second <= 3 * maxAge; second += 10) {
      at(second);
      const inCache = second <= maxAge; // Better Auth drops the cache once its expiry is strictly past
      const update = await request(auth, "/update-user", {
        body: { name: `Mallory ${second}` },
        headers: jar.headers(),
      });
      expect(update.status, `update-user at ${second} s`).toBe(inCache ? 403 : 401);
      if (inCache) expect(await codeOf(update)).toBe("USER_DELETED");
      expect(issuesCookieCache(update)).toBe(false);
      jar.take(update, { ignoreDeletions: true });

      const reissue = await request(auth, "/test/reissue", { body: {}, headers: jar.headers() });
      expect(reissue.status, `reissue at ${second} s`).toBe(inCache ? 403 : 401);
      expect(issuesCookieCache(reissue)).toBe(false);
      jar.take(reissue, { ignoreDeletions: true });

      const session = await request(auth, "/get-session", { headers: jar.headers() });
      // Within maxAge the cache alone answers getSession (the documented bound); after it, nothing does.
      expect(await session.json(), `get-session at ${second} s`).toEqual(
        inCache ? expect.objectContaining({ user: expect.objectContaining({ id: userId }) }) : null,
      );
      jar.take(session, { ignoreDeletions: true });
    }
    expect(await rowsOf(t.db, userId)).toEqual(before);
  });

  it("clears the session cookies when it refuses a cached soft-deleted user", async () => {
    const { auth, userId, jar } = await signedUpWithCache();
    await softDeleteUser(t.db, userId);
    at(5);
    const response = await request(auth, "/test/reissue", { body: {}, headers: jar.headers() });
    expect(response.status).toBe(403);
    // A browser that obeys the response holds no session cookie any more.
    expect(jar.take(response).names()).toEqual([]);
    const cleared = response.headers.getSetCookie().map((c) => c.split("=")[0]);
    expect(cleared).toEqual(expect.arrayContaining(["better-auth.session_token", "better-auth.session_data"]));
  });

  it("refuses changes on a cached session that was soft-deleted alone (the user stays live) with Better Auth's 401", async () => {
    const { auth, userId, jar } = await signedUpWithCache();
    await softDelete(t.db, sessionTable, eq(sessionTable.userId, userId));
    const before = await rowsOf(t.db, userId);
    at(5);
    const update = await request(auth, "/update-user", { body: { name: "Mallory" }, headers: jar.headers() });
    expect(update.status).toBe(401);
    expect(issuesCookieCache(update)).toBe(false);
    const reissue = await request(auth, "/test/reissue", { body: {}, headers: jar.headers() });
    expect(reissue.status).toBe(401);
    expect(issuesCookieCache(reissue)).toBe(false);
    expect(await rowsOf(t.db, userId)).toEqual(before);
  });

  it("leaves live users alone: their cached session is re-issued and their changes are made", async () => {
    const { auth, userId, jar } = await signedUpWithCache();
    at(5);
    const update = await request(auth, "/update-user", { body: { name: "Grace" }, headers: jar.headers() });
    expect(update.status).toBe(200);
    expect(issuesCookieCache(update)).toBe(true);
    expect((await rowsOf(t.db, userId)).user?.name).toBe("Grace");
    const reissue = await request(auth, "/test/reissue", { body: {}, headers: jar.headers() });
    expect(reissue.status).toBe(200);
    expect(issuesCookieCache(reissue)).toBe(true);
  });
});
