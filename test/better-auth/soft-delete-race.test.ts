import { bearer } from "better-auth/plugins";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionTable, userTable } from "../../src/schema/index.js";
import { rowsOf } from "../../src/shared/rows.js";
import { restore, softDeleteUser } from "../../src/soft-delete/index.js";
import { createTestDatabase, serverOnly, serverUrl, type TestDatabase } from "../support/database.js";
import { codeOf, makeAuth, password, request, rowsOf as rowsOfUser, signUp } from "./soft-delete-auth.js";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("soft_delete_race", { migrated: true });
});
afterAll(() => t.close());

/** A promise the test resolves by hand, and one that tells it the code under test got there. */
function gate() {
  let arrive = () => {};
  let release = () => {};
  const arrived = new Promise<void>((resolve) => {
    arrive = resolve;
  });
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { arrive, arrived, release, released };
}

/**
 * `auth` with a host `session.create.before` hook that, while `pause` is set, waits for the test to release it
 * (it runs after the plugin's own `session.create.before` check, which has then already passed), and `bearer()`
 * so that a session can be presented by its token alone.
 */
function makeRaceAuth() {
  const control: { pause?: ReturnType<typeof gate> } = {};
  const auth = makeAuth(t.db, {
    plugins: [bearer()],
    databaseHooks: {
      session: {
        create: {
          before: async () => {
            const pause = control.pause;
            if (!pause) return;
            pause.arrive();
            await pause.released;
          },
        },
      },
    },
  });
  return { auth, control };
}

/** Whether `token` is accepted as a session by `auth` (sent as a bearer token, as an API client would). */
async function accepted(auth: Parameters<typeof request>[0], token: string) {
  const response = await request(auth, "/get-session", { headers: new Headers({ authorization: `Bearer ${token}` }) });
  return (await response.json()) !== null;
}

/** Every session row of the user must be ended: soft-deleted and expired, as softDeleteUser ends them. */
async function expectAllEnded(userId: string) {
  const { sessions } = await rowsOfUser(t.db, userId);
  const [{ now }] = rowsOf(await t.db.execute(sql`select now() as now`)) as [{ now: Date }];
  expect(sessions.length).toBeGreaterThan(0);
  for (const session of sessions) {
    expect(session.deletedAt).not.toBeNull();
    expect(session.expiresAt.getTime()).toBeLessThanOrEqual(new Date(now).getTime() + 1000);
  }
  return sessions;
}

describe.runIf(serverUrl)(serverOnly("a sign-in racing softDeleteUser()"), () => {
  it("ends a session inserted after softDeleteUser committed (the plugin's check had passed): 403, and restore does not revive it", async () => {
    const { auth, control } = makeRaceAuth();
    const { email, userId } = await signUp(auth);

    control.pause = gate();
    const signIn = request(auth, "/sign-in/email", { body: { email, password } });
    await control.pause.arrived; // the plugin's session.create.before saw a live user
    const { sessionsEnded } = await softDeleteUser(t.db, userId); // commits before the session insert
    expect(sessionsEnded).toBe(1); // the sign-up's session only
    control.pause.release();

    const response = await signIn;
    expect(response.status).toBe(403);
    expect(await codeOf(response)).toBe("USER_DELETED");
    expect(response.headers.getSetCookie().some((c) => /^better-auth\.session_token=[^;]/.test(c))).toBe(false);
    const sessions = await expectAllEnded(userId);
    expect(sessions).toHaveLength(2);

    await restore(t.db, userTable, eq(userTable.id, userId));
    for (const session of sessions) expect(await accepted(auth, session.token)).toBe(false);
    // Ended as softDeleteUser ends them: expired, so even a Better Auth without the plugin refuses them.
    const plain = makeAuth(t.db, { plugins: [bearer()] }, { softDeletePlugin: false });
    for (const session of sessions) {
      await t.db.update(sessionTable).set({ deletedAt: null }).where(eq(sessionTable.id, session.id));
      expect(await accepted(plain, session.token)).toBe(false);
    }
    // The person can sign in again after the restore.
    const again = await request(auth, "/sign-in/email", { body: { email, password } });
    expect(again.status).toBe(200);
  });

  it("holds the session insert until softDeleteUser commits when the deletion started first, then ends it: 403", async () => {
    const { auth } = makeRaceAuth();
    const { email, userId } = await signUp(auth);

    const deletion = gate();
    const deleting = t.db.transaction(async (tx) => {
      await softDeleteUser(tx, userId); // ends the sign-up's session, and holds the user row's lock until commit
      deletion.arrive();
      await deletion.released;
    });
    await deletion.arrived;
    // Not committed yet: Better Auth (and the plugin's before hook) still read the user as live.
    const signIn = request(auth, "/sign-in/email", { body: { email, password } });
    const settled = signIn.then(() => "settled" as const);
    const waiting = (async () => {
      for (let i = 0; i < 250; i += 1) {
        const [row] = rowsOf(
          await t.db.execute(sql`select count(*)::int as n from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock' and query ilike 'insert into "session"%'`),
        ) as [{ n: number }];
        if (row.n > 0) return "waiting" as const;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return "timeout" as const;
    })();
    // The insert's foreign-key check must wait for softDeleteUser's lock on the user row.
    expect(await Promise.race([settled, waiting])).toBe("waiting");
    deletion.release();
    await deleting;

    const response = await signIn;
    expect(response.status).toBe(403);
    expect(await codeOf(response)).toBe("USER_DELETED");
    const sessions = await expectAllEnded(userId);
    expect(sessions).toHaveLength(2);
    await restore(t.db, userTable, eq(userTable.id, userId));
    for (const session of sessions) expect(await accepted(auth, session.token)).toBe(false);
  });
});
