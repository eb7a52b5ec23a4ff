/**
 * A real `betterAuth()` instance on the package's tables, driven through its HTTP handler like a host's server
 * would: sign-up, sign-in and get-session, with `advanced.database.generateId: 'uuid'` (ids left to the database).
 */
import { randomUUID } from "node:crypto";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { accountTable, authSchema, sessionTable, userTable } from "../../src/schema/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("ba_round_trip", { migrated: true });
});
afterAll(() => t?.close());

const post = (path: string, body: unknown) =>
  new Request(`http://localhost:3000/api/auth${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

it("signs up, signs in and reads the session back with generateId: 'uuid'", async () => {
  const auth = betterAuth({
    baseURL: "http://localhost:3000",
    secret: "a-test-secret-of-at-least-thirty-two-characters",
    database: drizzleAdapter(t.db, { provider: "pg", schema: authSchema }),
    emailAndPassword: { enabled: true },
    advanced: { database: { generateId: "uuid" } },
  });
  const email = `${randomUUID()}@example.com`;
  const password = "correct horse battery";

  const signUp = await auth.handler(post("/sign-up/email", { email, password, name: "Ada" }));
  expect(signUp.status).toBe(200);
  const signedUp = (await signUp.json()) as { user: { id: string } };
  expect(signedUp.user.id).toMatch(UUID);

  const signIn = await auth.handler(post("/sign-in/email", { email, password }));
  expect(signIn.status).toBe(200);
  const cookie = signIn.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  expect(cookie).toContain("better-auth.session_token=");

  const got = await auth.handler(new Request("http://localhost:3000/api/auth/get-session", { headers: { cookie } }));
  expect(got.status).toBe(200);
  const session = (await got.json()) as {
    user: { id: string; email: string };
    session: { id: string; userId: string };
  };
  expect(session.user).toMatchObject({ id: signedUp.user.id, email });
  expect(session.session.id).toMatch(UUID);
  expect(session.session.userId).toBe(signedUp.user.id);

  // The rows are where a host reading the tables directly expects them.
  const [user] = await t.db.select().from(userTable).where(eq(userTable.id, signedUp.user.id));
  expect(user?.email).toBe(email);
  const sessions = await t.db.select().from(sessionTable).where(eq(sessionTable.userId, signedUp.user.id));
  expect(sessions.map((s) => s.id)).toContain(session.session.id);
  const [account] = await t.db.select().from(accountTable).where(eq(accountTable.userId, signedUp.user.id));
  expect(account?.providerId).toBe("credential");
  expect(account?.id).toMatch(UUID);
});
