/**
 * Better Auth's own rate limiter storing its counters in the package's `rate_limit` table
 * (`rateLimit: { storage: 'database' }`), driven through its HTTP handler.
 */
import { randomUUID } from "node:crypto";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { authSchema, rateLimitTable } from "../../src/schema/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("ba_rate_limit", { migrated: true });
});
afterAll(() => t?.close());

it("answers 429 to the 4th sign-in from one IP within the window, and keeps the counter in rate_limit", async () => {
  const auth = betterAuth({
    baseURL: "http://localhost:3000",
    secret: "a-test-secret-of-at-least-thirty-two-characters",
    database: drizzleAdapter(t.db, { provider: "pg", schema: authSchema }),
    emailAndPassword: { enabled: true },
    // `window` is in seconds. Better Auth applies its own rule of 3 per 10 s to /sign-in/* whatever `max` says; the
    // custom rule widens that window to 60 s so four scrypt-hashed sign-ins on a busy machine stay inside it.
    rateLimit: {
      enabled: true,
      storage: "database",
      window: 60,
      max: 3,
      customRules: { "/sign-in/email": { window: 60, max: 3 } },
    },
    // The client IP comes from this header (Better Auth's default, spelled out). Behind a proxy the host sets the
    // header its proxy writes; with none resolvable, Better Auth falls back to one shared bucket per path.
    advanced: { ipAddress: { ipAddressHeaders: ["x-forwarded-for"] } },
  });
  const email = `${randomUUID()}@example.com`;
  const password = "correct horse battery";
  const request = (path: string, body: unknown, ip: string) =>
    auth.handler(
      new Request(`http://localhost:3000/api/auth${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": ip },
        body: JSON.stringify(body),
      }),
    );

  expect((await request("/sign-up/email", { email, password, name: "Ada" }, "198.51.100.1")).status).toBe(200);

  const statuses: number[] = [];
  let last: Response | undefined;
  for (let attempt = 0; attempt < 4; attempt += 1) {
    last = await request("/sign-in/email", { email, password }, "203.0.113.7");
    statuses.push(last.status);
  }
  expect(statuses).toEqual([200, 200, 200, 429]);
  expect(Number(last?.headers.get("x-retry-after"))).toBeGreaterThan(0);

  const [row] = await t.db.select().from(rateLimitTable).where(eq(rateLimitTable.key, "203.0.113.7|/sign-in/email"));
  expect(row).toMatchObject({ count: 3 });
  expect(row?.id).toMatch(/^[A-Za-z0-9]{32}$/); // Better Auth's own id, kept by the text column
  expect(Math.abs((row?.lastRequest ?? 0) - Date.now())).toBeLessThan(60_000); // Unix time in milliseconds

  // Another IP has its own counter.
  expect((await request("/sign-in/email", { email, password }, "203.0.113.8")).status).toBe(200);
});
