/**
 * Better Auth on the package's tables in the PostgreSQL schema `auth` (`defineAuthSchema({ pgSchema: "auth",
 * plugins })`, migrated with `migrate(db, { pgSchema: "auth", plugins })`), every session's `search_path` pointing
 * at another schema: Better Auth's own auth-flow suite through `drizzleAdapter`, and `softDeletePlugin()` with
 * `softDeleteUser(db, id, { schema })`.
 */
import { authFlowTestSuite } from "@better-auth/test-utils/adapter";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { softDeletePlugin } from "../../src/better-auth/index.js";
import { migrate } from "../../src/migrate/index.js";
import { defineAuthSchema, pluginNames } from "../../src/schema/index.js";
import { rowsOf } from "../../src/shared/rows.js";
import { softDeleteUser } from "../../src/soft-delete/index.js";
import { databaseWithSearchPath, type PlacedDatabase } from "../support/search-path.js";
import { runConformance } from "./adapter-harness.js";
import { baseURL, CookieJar, codeOf, newEmail, password, quickPassword, request, secret } from "./soft-delete-auth.js";

const s = defineAuthSchema({ pgSchema: "auth", plugins: pluginNames });
const migrateOptions = { pgSchema: "auth", plugins: [...pluginNames] };

// Better Auth's sign-up / sign-in / session / password-reset flow on tables in `auth`.
await runConformance(
  "ba_auth_flow_placed",
  [
    authFlowTestSuite({
      // Adds a custom `dateField` column to `user`; see auth-flow.test.ts.
      disableTests: { "should sign up with additional fields": true },
    }),
  ],
  {},
  {},
  async (label) => ({
    ...(await databaseWithSearchPath(label, "other")),
    authSchema: s.authSchema,
    migrateOptions,
  }),
);

describe("softDeletePlugin() on tables in auth", () => {
  let t: PlacedDatabase;
  beforeAll(async () => {
    t = await databaseWithSearchPath("ba_soft_delete_placed", "other");
    await migrate(t.db, migrateOptions);
  });
  afterAll(() => t.close());

  const makeAuth = () =>
    betterAuth({
      secret,
      baseURL,
      database: drizzleAdapter(t.db, { provider: "pg", schema: s.authSchema }),
      emailAndPassword: { enabled: true, password: quickPassword },
      plugins: [softDeletePlugin()],
    });

  it("a soft-deleted user's session ends and sign-in is refused; the rows are in auth.*", async () => {
    const auth = makeAuth();
    const email = newEmail();
    const signUp = await request(auth, "/sign-up/email", { body: { email, password, name: "Ada" } });
    expect(signUp.status).toBe(200);
    const userId = ((await signUp.json()) as { user: { id: string } }).user.id;
    const jar = new CookieJar().take(signUp);
    const live = await request(auth, "/get-session", { headers: jar.headers() });
    expect(((await live.json()) as { user?: { id: string } } | null)?.user?.id).toBe(userId);

    const [stored] = rowsOf(
      await t.db.execute(sql`select (select count(*)::int from auth."user" where id = ${userId}) as users,
        (select count(*)::int from auth.session where user_id = ${userId}) as sessions`),
    );
    expect(stored).toEqual({ users: 1, sessions: 1 });

    const { sessionsEnded } = await softDeleteUser(t.db, userId, { schema: s.authSchema });
    expect(sessionsEnded).toBe(1);
    const ended = await request(auth, "/get-session", { headers: jar.headers() });
    expect(await ended.json()).toBeNull();
    const signIn = await request(auth, "/sign-in/email", { body: { email, password } });
    expect(signIn.status).toBe(403);
    expect(await codeOf(signIn)).toBe("USER_DELETED");
    const [user] = await t.db.select().from(s.userTable).where(eq(s.userTable.id, userId));
    expect(user?.deletedAt).toBeInstanceOf(Date);
  });
});
