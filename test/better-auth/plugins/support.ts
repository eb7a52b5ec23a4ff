import { randomUUID } from "node:crypto";
import { type BetterAuthOptions, type BetterAuthPlugin, betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { APIError } from "better-auth/api";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { expect } from "vitest";
import { migrate } from "../../../src/migrate/index.js";
import { defineAuthSchema, type PluginName } from "../../../src/schema/index.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";
import { quickPassword } from "../soft-delete-auth.js";

export const password = "correct horse battery staple";
export const newEmail = () => `${randomUUID()}@example.test`;

/**
 * A fresh database migrated by `migrate(db, { plugins })`, the matching `defineAuthSchema({ plugins })`, and a
 * drizzle database made with its `authSchema` (relations included, for `advanced.database.joins`).
 */
export async function pluginDatabase<const P extends PluginName>(label: string, plugins: readonly P[]) {
  const t: TestDatabase = await createTestDatabase(label);
  await migrate(t.db, { plugins });
  const s = defineAuthSchema({ plugins });
  const client = (t.db as unknown as { $client: unknown }).$client;
  const db =
    t.kind === "postgres"
      ? drizzlePg(client as never, { schema: s.authSchema })
      : drizzlePglite(client as never, { schema: s.authSchema });
  return { t, s, db, close: () => t.close() };
}

/**
 * A real Better Auth on `db` with the adapter given `schema: s.authSchema` and no other adapter option, email and
 * password sign-in with a quick password hash (see `quickPassword`), `plugins`, and `options` on top.
 */
export function pluginAuth<const Plugins extends BetterAuthPlugin[]>(
  db: Parameters<typeof drizzleAdapter>[0],
  schema: Record<string, unknown>,
  plugins: Plugins,
  options: Omit<BetterAuthOptions, "plugins"> = {},
) {
  return betterAuth({
    secret: "test-secret-test-secret-test-secret-0123456789",
    baseURL: "http://localhost:3000",
    database: drizzleAdapter(db, { provider: "pg", schema }),
    ...options,
    emailAndPassword: { enabled: true, password: quickPassword, ...options.emailAndPassword },
    plugins,
  });
}

/** The `Cookie` request header a browser would send back after a response with these `Set-Cookie` headers. */
export const cookieFrom = (headers: Headers, previous?: Headers) => {
  const jar = new Map<string, string>();
  for (const pair of (previous?.get("cookie") ?? "").split("; ").filter(Boolean)) {
    const at = pair.indexOf("=");
    jar.set(pair.slice(0, at), pair.slice(at + 1));
  }
  for (const setCookie of headers.getSetCookie()) {
    const [pair = ""] = setCookie.split(";");
    const at = pair.indexOf("=");
    const value = pair.slice(at + 1);
    if (value === "" || /;\s*max-age=0(;|$)/i.test(setCookie)) jar.delete(pair.slice(0, at));
    else jar.set(pair.slice(0, at), value);
  }
  return new Headers({ cookie: [...jar].map(([name, value]) => `${name}=${value}`).join("; ") });
};

/** The APIError a Better Auth call rejects with. */
export const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(APIError);
      return error as APIError;
    },
  );

/** What `signUp` needs of a Better Auth instance: its email-and-password sign-up endpoint. */
interface SignUpApi {
  api: {
    signUpEmail(input: {
      body: { email: string; password: string; name: string };
      returnHeaders: true;
    }): Promise<{ headers: Headers; response: { user: { id: string } } }>;
  };
}

/**
 * Signs a new user up through `auth` with a fresh email, `password` and `name` (plus `extra` body fields, such as a
 * plugin's `username`): their email, id and the `Cookie` header of their new session.
 */
export async function signUp(auth: SignUpApi, name: string, extra: Record<string, unknown> = {}) {
  const email = newEmail();
  const { headers, response } = await auth.api.signUpEmail({
    body: { email, password, name, ...extra },
    returnHeaders: true,
  });
  return { email, id: response.user.id, cookie: cookieFrom(headers) };
}
