import { randomUUID } from "node:crypto";
import { tryGetCurrentAuthEndpointContext } from "@better-auth/core/context";
import { type BetterAuthPlugin, betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { APIError } from "better-auth/api";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SOFT_DELETE_ERROR_CODES, softDeletePlugin } from "../../src/better-auth/index.js";
import { authSchema, sessionTable, userTable } from "../../src/schema/index.js";
import { purgeDeleted, restore, softDelete, softDeleteUser } from "../../src/soft-delete/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { quickPassword } from "./soft-delete-auth.js";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("better_auth_soft_delete", { migrated: true });
});
afterAll(() => t.close());

type AuthOptions = Parameters<typeof betterAuth>[0];
const makeAuth = (extra: Partial<AuthOptions> = {}, plugins: BetterAuthPlugin[] = [softDeletePlugin()]) =>
  betterAuth({
    secret: "test-secret-test-secret-test-secret-0123456789",
    baseURL: "http://localhost:3000",
    database: drizzleAdapter(t.db, { provider: "pg", schema: authSchema }),
    // A quick password hash instead of scrypt: see quickPassword.
    emailAndPassword: { enabled: true, password: quickPassword },
    plugins,
    ...extra,
  });
type Auth = ReturnType<typeof makeAuth>;

/** The `Cookie` request header a browser would send back after a response with these `Set-Cookie` headers. */
const cookieFrom = (headers: Headers) =>
  new Headers({
    cookie: headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; "),
  });

const password = "correct horse battery staple";
const newEmail = () => `${randomUUID()}@example.test`;

async function signUp(auth: Auth, email = newEmail()) {
  const { headers, response } = await auth.api.signUpEmail({
    body: { email, password, name: "Ada" },
    returnHeaders: true,
  });
  return { email, userId: response.user.id, cookie: cookieFrom(headers) };
}

async function signIn(auth: Auth, email: string) {
  const { headers, response } = await auth.api.signInEmail({ body: { email, password }, returnHeaders: true });
  return { token: response.token, cookie: cookieFrom(headers) };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(APIError);
      return error as APIError;
    },
  );

const tokenOf = (userId: string) =>
  t.db.select({ token: sessionTable.token }).from(sessionTable).where(eq(sessionTable.userId, userId));

describe("softDeletePlugin() with a real Better Auth instance", () => {
  let auth: Auth;
  beforeAll(() => {
    auth = makeAuth();
  });

  it("ends a soft-deleted user's sessions, refuses their sign-in, and lets them back after restore", async () => {
    const { email, userId } = await signUp(auth);
    const { cookie } = await signIn(auth, email);
    expect((await auth.api.getSession({ headers: cookie }))?.user.id).toBe(userId);

    const { sessionsEnded } = await softDeleteUser(t.db, userId);
    expect(sessionsEnded).toBe(2);
    expect(await auth.api.getSession({ headers: cookie })).toBeNull();

    const refused = await failure(auth.api.signInEmail({ body: { email, password } }));
    expect(refused.status).toBe("FORBIDDEN");
    expect(refused.statusCode).toBe(403);
    expect(refused.body?.code).toBe("USER_DELETED");
    expect(refused.body?.message).toBe(SOFT_DELETE_ERROR_CODES.USER_DELETED.message);
    const wrongPassword = await failure(auth.api.signInEmail({ body: { email, password: "not the password" } }));
    expect(wrongPassword.body?.code).toBe("INVALID_EMAIL_OR_PASSWORD");
    expect((await tokenOf(userId)).length).toBe(2);

    await restore(t.db, userTable, eq(userTable.id, userId));
    const again = await signIn(auth, email);
    expect((await auth.api.getSession({ headers: again.cookie }))?.user.id).toBe(userId);
    expect(await auth.api.getSession({ headers: cookie })).toBeNull();
  });

  it("does not accept a soft-deleted session, while the user's other sessions keep working", async () => {
    const { email, userId } = await signUp(auth);
    const first = await signIn(auth, email);
    const second = await signIn(auth, email);
    await softDelete(t.db, sessionTable, eq(sessionTable.token, first.token));

    const response = await auth.api.getSession({ headers: first.cookie, returnHeaders: true });
    expect(response.response).toBeNull();
    expect(response.headers.getSetCookie().some((c) => /session_token=;/.test(c))).toBe(true);
    expect((await auth.api.getSession({ headers: second.cookie }))?.session.token).toBe(second.token);

    await restore(t.db, sessionTable, eq(sessionTable.token, first.token));
    expect((await auth.api.getSession({ headers: first.cookie }))?.user.id).toBe(userId);
  });

  it("refuses a soft-deleted session on endpoints behind the session middleware and hides it from listSessions", async () => {
    const { email } = await signUp(auth);
    const kept = await signIn(auth, email);
    const ended = await signIn(auth, email);
    await softDelete(t.db, sessionTable, eq(sessionTable.token, ended.token));

    const unauthorized = await failure(auth.api.updateUser({ headers: ended.cookie, body: { name: "Mallory" } }));
    expect(unauthorized.status).toBe("UNAUTHORIZED");
    const listed = await auth.api.listSessions({ headers: kept.cookie });
    const tokens = listed.map((s) => s.token);
    expect(tokens).toContain(kept.token);
    expect(tokens).not.toContain(ended.token);
  });

  it("does not accept the sessions of a user soft-deleted by hand, without softDeleteUser", async () => {
    const { email, userId } = await signUp(auth);
    const { cookie } = await signIn(auth, email);
    await softDelete(t.db, userTable, eq(userTable.id, userId));
    const [session] = await t.db.select().from(sessionTable).where(eq(sessionTable.userId, userId));
    expect(session?.deletedAt).toBeNull();
    expect(await auth.api.getSession({ headers: cookie })).toBeNull();
  });

  it("keeps a soft-deleted user's email taken: sign-up gets Better Auth's existing-email error until a purge", async () => {
    const { email, userId } = await signUp(auth);
    const { user } = await softDeleteUser(t.db, userId);

    const taken = await failure(auth.api.signUpEmail({ body: { email, password, name: "Someone else" } }));
    expect(taken.statusCode).toBe(422);
    expect(taken.body?.code).toBe("USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL");
    const rows = await t.db.select().from(userTable).where(eq(userTable.email, email));
    expect(rows.map((r) => [r.id, r.deletedAt])).toEqual([[userId, user.deletedAt]]);

    await t.db
      .update(userTable)
      .set({ deletedAt: new Date("1970-01-02T00:00:00Z") })
      .where(eq(userTable.id, userId));
    expect(await purgeDeleted(t.db, userTable, { olderThan: new Date("1970-01-03T00:00:00Z") })).toBe(1);
    const fresh = await signUp(auth, email);
    expect(fresh.userId).not.toBe(userId);
    expect((await auth.api.getSession({ headers: fresh.cookie }))?.user.email).toBe(email);
  });

  it("does not let clients set or see deletedAt", async () => {
    const refused = await failure(
      auth.api.signUpEmail({
        body: { email: newEmail(), password, name: "Eve", deletedAt: new Date() } as never,
      }),
    );
    expect(refused.status).toBe("BAD_REQUEST");
    const { cookie, userId } = await signUp(auth);
    const update = await failure(auth.api.updateUser({ headers: cookie, body: { deletedAt: new Date() } as never }));
    expect(update.status).toBe("BAD_REQUEST");
    const [row] = await t.db.select().from(userTable).where(eq(userTable.id, userId));
    expect(row?.deletedAt).toBeNull();
    const session = await auth.api.getSession({ headers: cookie });
    expect(session?.user).not.toHaveProperty("deletedAt");
    expect(session?.session).not.toHaveProperty("deletedAt");
  });
});

describe("without softDeletePlugin() (control)", () => {
  it("Better Auth alone still accepts a soft-deleted session, which is why the plugin exists", async () => {
    const plain = makeAuth({}, []);
    const { cookie, userId } = await signUp(plain);
    await softDelete(t.db, sessionTable, eq(sessionTable.userId, userId));
    expect((await plain.api.getSession({ headers: cookie }))?.user.id).toBe(userId);
  });
});

describe("softDeletePlugin() with session.cookieCache", () => {
  it("trusts a cached session until the cache expires; disableCookieCache sees the soft deletion at once", async () => {
    const cached = makeAuth({ session: { cookieCache: { enabled: true, maxAge: 300 } } });
    const { email, userId } = await signUp(cached);
    const { cookie } = await signIn(cached, email);
    expect((await cached.api.getSession({ headers: cookie }))?.user.id).toBe(userId);

    await softDeleteUser(t.db, userId);
    expect((await cached.api.getSession({ headers: cookie }))?.user.id).toBe(userId);
    expect(await cached.api.getSession({ headers: cookie, query: { disableCookieCache: true } })).toBeNull();
  });
});

describe("canary: Better Auth still reads sessions where softDeletePlugin() filters them", () => {
  type Call = { method: string; model: string; join?: unknown; path?: string };

  /** A plugin after softDeletePlugin(): it wraps the adapter outermost, so it records Better Auth's own calls. */
  const recorder = (calls: Call[]) =>
    ({
      id: "test-adapter-recorder",
      init(ctx) {
        const adapter = ctx.adapter as unknown as Record<string, (args: Call) => Promise<unknown>>;
        for (const method of ["findOne", "findMany"]) {
          const inner = adapter[method]?.bind(adapter);
          adapter[method] = (args: Call) => {
            calls.push({ method, model: args.model, join: args.join, path: tryGetCurrentAuthEndpointContext()?.path });
            return inner?.(args) as Promise<unknown>;
          };
        }
      },
    }) satisfies BetterAuthPlugin;

  it("getSession reads the session with findOne + join { user: true }, listSessions with findMany, inside their endpoint context", async () => {
    const calls: Call[] = [];
    const recorded = makeAuth({}, [softDeletePlugin(), recorder(calls)]);
    const { email } = await signUp(recorded);
    const { cookie } = await signIn(recorded, email);

    calls.length = 0;
    expect(await recorded.api.getSession({ headers: cookie })).not.toBeNull();
    expect(calls).toContainEqual({ method: "findOne", model: "session", join: { user: true }, path: "/get-session" });

    calls.length = 0;
    expect((await recorded.api.listSessions({ headers: cookie })).length).toBeGreaterThan(0);
    expect(calls).toContainEqual(
      expect.objectContaining({ method: "findMany", model: "session", path: "/list-sessions" }),
    );
  });
});
