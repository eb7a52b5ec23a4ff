import { createHash, randomUUID } from "node:crypto";
import { type BetterAuthOptions, betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { eq } from "drizzle-orm";
import { softDeletePlugin } from "../../src/better-auth/index.js";
import { accountTable, authSchema, sessionTable, userTable } from "../../src/schema/index.js";
import type { AnyPgDatabase } from "../../src/shared/database.js";

export const secret = "test-secret-test-secret-test-secret-0123456789";
export const baseURL = "http://localhost:3000";
export const password = "correct horse battery staple";

/**
 * Better Auth's scrypt costs about half a second per sign-up or sign-in on the test machine; these files make
 * dozens. The password hash is the one option changed (a documented `emailAndPassword.password` option): a salted
 * SHA-256, which still fails a wrong password.
 */
export const quickPassword = {
  hash: async (plain: string) => {
    const salt = randomUUID();
    return `${salt}:${createHash("sha256").update(`${salt}:${plain}`).digest("hex")}`;
  },
  verify: async ({ hash, password: plain }: { hash: string; password: string }) => {
    const [salt, digest] = hash.split(":");
    return createHash("sha256").update(`${salt}:${plain}`).digest("hex") === digest;
  },
};

/**
 * A real Better Auth on `db` with `softDeletePlugin()` first in `plugins` (then `options.plugins`), email and
 * password sign-in, and `options` merged on top (`emailAndPassword` merged key by key). Without the plugin
 * when `softDeletePlugin: false` (a control).
 */
export function makeAuth(
  db: AnyPgDatabase,
  options: Partial<BetterAuthOptions> = {},
  { softDeletePlugin: withPlugin = true } = {},
) {
  return betterAuth({
    secret,
    baseURL,
    database: drizzleAdapter(db, { provider: "pg", schema: authSchema }),
    ...options,
    emailAndPassword: { enabled: true, password: quickPassword, ...options.emailAndPassword },
    plugins: [...(withPlugin ? [softDeletePlugin()] : []), ...(options.plugins ?? [])],
  });
}

/** What a browser keeps from `Set-Cookie` headers, sent back as one `Cookie` header. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  /**
   * Takes the cookies `response` sets. With `ignoreDeletions`, a cookie the response expires is kept: a client
   * that does not obey (an attacker replaying what it once had).
   */
  take(response: Response | Headers, { ignoreDeletions = false } = {}): this {
    const headers = response instanceof Response ? response.headers : response;
    for (const setCookie of headers.getSetCookie()) {
      const [pair = ""] = setCookie.split(";");
      const equals = pair.indexOf("=");
      const name = pair.slice(0, equals);
      const value = pair.slice(equals + 1);
      const expired = value === "" || /;\s*max-age=0(;|$)/i.test(setCookie);
      if (!expired) this.cookies.set(name, value);
      else if (!ignoreDeletions) this.cookies.delete(name);
    }
    return this;
  }

  /** The names of the cookies held. */
  names(): string[] {
    return [...this.cookies.keys()];
  }

  /** Request headers carrying the cookies held. */
  headers(): Headers {
    return new Headers({ cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ") });
  }
}

/** Whether `response` gives the cookie-cache cookie (`better-auth.session_data`) a value. */
export const issuesCookieCache = (response: Response) =>
  response.headers
    .getSetCookie()
    .some((c) => /^better-auth\.session_data(\.\d+)?=[^;]/.test(c) && !/max-age=0/i.test(c));

export const newEmail = () => `${randomUUID()}@example.test`;

/** Signs up a new user through `auth` (HTTP) and returns their id, email and the cookies the sign-up set. */
export async function signUp(auth: { handler: (request: Request) => Promise<Response> }, email = newEmail()) {
  const response = await request(auth, "/sign-up/email", { body: { email, password, name: "Ada" } });
  if (response.status !== 200) throw new Error(`sign-up failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { user: { id: string } };
  return { email, userId: body.user.id, jar: new CookieJar().take(response) };
}

/** Status and body text of a response, to compare two answers byte for byte. */
export const answerOf = async (response: Response) => ({ status: response.status, body: await response.text() });

/** The error `code` of a JSON error response. */
export const codeOf = async (response: Response) => ((await response.clone().json()) as { code?: string }).code;

/** The user row, their accounts and their sessions, as stored. */
export async function rowsOf(db: AnyPgDatabase, userId: string) {
  const [user] = await db.select().from(userTable).where(eq(userTable.id, userId));
  const accounts = await db.select().from(accountTable).where(eq(accountTable.userId, userId));
  const sessions = await db.select().from(sessionTable).where(eq(sessionTable.userId, userId));
  return { user, accounts, sessions };
}

/**
 * Sends an HTTP request to `auth.handler`, as a browser or a script would: `path` under `/api/auth`, a JSON
 * `body` for POST, `headers` (cookies) as given.
 */
export function request(
  auth: { handler: (request: Request) => Promise<Response> },
  path: string,
  { body, headers }: { body?: unknown; headers?: Headers } = {},
): Promise<Response> {
  const init: RequestInit = { method: body === undefined ? "GET" : "POST", headers: new Headers(headers) };
  if (body !== undefined) {
    (init.headers as Headers).set("content-type", "application/json");
    init.body = JSON.stringify(body);
  }
  return auth.handler(new Request(`${baseURL}/api/auth${path}`, init));
}
