/**
 * The admin() plugin through Better Auth on a database made by `migrate(db, { plugins: ['admin'] })`, with the
 * adapter given `defineAuthSchema({ plugins: ['admin'] }).authSchema` only; with and without joins: set a role,
 * ban (sign-in refused, sessions ended), unban, impersonate, list users.
 */
import { admin } from "better-auth/plugins/admin";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cookieFrom, failure, password, pluginAuth, pluginDatabase, signUp } from "./support.js";

describe.each([false, true])("admin() (joins: %s)", (joins) => {
  let d: Awaited<ReturnType<typeof pluginDatabase<"admin">>>;
  let auth: ReturnType<typeof makeAuth>;
  const makeAuth = () => pluginAuth(d.db, d.s.authSchema, [admin()], { advanced: { database: { joins } } });
  beforeAll(async () => {
    d = await pluginDatabase(`plugin_admin_${joins}`, ["admin"]);
    auth = makeAuth();
  });
  afterAll(() => d?.close());

  it("sets a role, bans (sign-in refused), unbans, impersonates and lists users", async () => {
    const boss = await signUp(auth, "Boss");
    const user = await signUp(auth, "User");
    // The first admin is made in the database, as a host's seed would.
    await d.db.update(d.s.userTable).set({ role: "admin" }).where(eq(d.s.userTable.id, boss.id));
    const [fresh] = await d.db.select().from(d.s.userTable).where(eq(d.s.userTable.id, user.id));
    expect(fresh).toMatchObject({ role: "user", banned: false, banReason: null, banExpires: null });

    await auth.api.setRole({ headers: boss.cookie, body: { userId: user.id, role: "admin" } });
    expect((await d.db.select().from(d.s.userTable).where(eq(d.s.userTable.id, user.id)))[0]?.role).toBe("admin");
    await auth.api.setRole({ headers: boss.cookie, body: { userId: user.id, role: "user" } });

    await auth.api.banUser({ headers: boss.cookie, body: { userId: user.id, banReason: "spam", banExpiresIn: 3600 } });
    const [banned] = await d.db.select().from(d.s.userTable).where(eq(d.s.userTable.id, user.id));
    expect(banned).toMatchObject({ banned: true, banReason: "spam" });
    expect(banned?.banExpires).toBeInstanceOf(Date);
    expect(Math.abs((banned?.banExpires?.getTime() ?? 0) - Date.now() - 3_600_000)).toBeLessThan(60_000);
    expect(await auth.api.getSession({ headers: user.cookie })).toBeNull();
    const refused = await failure(auth.api.signInEmail({ body: { email: user.email, password } }));
    expect(refused.body?.code).toBe("BANNED_USER");

    await auth.api.unbanUser({ headers: boss.cookie, body: { userId: user.id } });
    const again = await auth.api.signInEmail({ body: { email: user.email, password }, returnHeaders: true });
    expect((await auth.api.getSession({ headers: cookieFrom(again.headers) }))?.user.id).toBe(user.id);

    const impersonation = await auth.api.impersonateUser({
      headers: boss.cookie,
      body: { userId: user.id },
      returnHeaders: true,
    });
    const asUser = await auth.api.getSession({ headers: cookieFrom(impersonation.headers, boss.cookie) });
    expect(asUser?.user.id).toBe(user.id);
    expect(asUser?.session.impersonatedBy).toBe(boss.id);

    const listed = await auth.api.listUsers({ headers: boss.cookie, query: { sortBy: "email" } });
    expect(listed.users.map((u) => u.id).sort()).toEqual([boss.id, user.id].sort());
    expect(listed.total).toBe(2);
    const sessions = await auth.api.listUserSessions({ headers: boss.cookie, body: { userId: user.id } });
    expect(sessions.sessions.some((s) => s.impersonatedBy === boss.id)).toBe(true);
  });
});
