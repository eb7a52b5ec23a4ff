/**
 * `npm run demo`: the package's main job end to end on an embedded PGlite database (no server needed).
 * 1. run the shipped migrations with migrate();
 * 2. sign a user up and in through a real Better Auth wired with `authSchema`;
 * 3. read the rows back and validate them with the Zod select schemas.
 */
import { PGlite } from "@electric-sql/pglite";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/pglite";
import pc from "picocolors";
import { migrate, migrationStatus } from "../src/migrate/index.js";
import {
  accountTable,
  authSchema,
  selectAccountTableSchema,
  selectSessionTableSchema,
  selectUserTableSchema,
  sessionTable,
  userTable,
} from "../src/schema/index.js";

const step = (n: number, text: string) => console.log(`\n${pc.bold(pc.cyan(`${n}.`))} ${pc.bold(text)}`);
const ok = (text: string) => console.log(`   ${pc.green("✓")} ${text}`);

async function main() {
  step(1, "Open an embedded PGlite database (in memory) and give it to drizzle");
  const client = new PGlite();
  const db = drizzle(client, { schema: authSchema });
  ok("drizzle(new PGlite(), { schema: authSchema })");

  step(2, "Run the shipped migrations: migrate(db)");
  const { applied } = await migrate(db);
  for (const m of applied) ok(`${m.tag} ${pc.dim(`(${m.durationMs.toFixed(0)} ms)`)}`);
  const status = await migrationStatus(db);
  ok(`${status.applied.length} applied, ${status.pending.length} pending`);

  step(3, "Wire Better Auth: drizzleAdapter(db, { provider: 'pg', schema: authSchema })");
  const auth = betterAuth({
    baseURL: "http://localhost:3000",
    secret: "demo-secret-demo-secret-demo-secret-0123",
    database: drizzleAdapter(db, { provider: "pg", schema: authSchema }),
    emailAndPassword: { enabled: true },
    logger: { disabled: true },
  });
  ok("betterAuth({ database: drizzleAdapter(…), emailAndPassword: { enabled: true } })");

  step(4, "Sign a user up, then in");
  const email = "ada@example.com";
  const signUp = await auth.api.signUpEmail({
    body: { name: "Ada Lovelace", email, password: "correct horse battery" },
  });
  ok(`signed up ${pc.yellow(signUp.user.email)} as user ${pc.dim(signUp.user.id)} (sign-up also opens a session)`);
  const signIn = await auth.api.signInEmail({
    body: { email, password: "correct horse battery" },
    returnHeaders: true,
  });
  const cookie = signIn.headers.get("set-cookie")?.split(";")[0] ?? "";
  ok(`signed in; session cookie ${pc.dim(`${cookie.slice(0, 40)}…`)}`);
  const session = await auth.api.getSession({ headers: new Headers({ cookie }) });
  ok(`getSession() knows ${pc.yellow(session?.user.name ?? "nobody")}`);

  step(5, "Read the rows back with drizzle and validate them with the Zod select schemas");
  const [user] = await db.select().from(userTable).where(eq(userTable.email, email));
  const parsedUser = selectUserTableSchema.parse(user);
  ok(`user      ${parsedUser.email}  created_at ${parsedUser.createdAt.toISOString()}`);
  const sessions = await db.select().from(sessionTable).where(eq(sessionTable.userId, parsedUser.id));
  for (const row of sessions) {
    const parsed = selectSessionTableSchema.parse(row);
    ok(`session   ${parsed.id}  expires ${parsed.expiresAt.toISOString()}`);
  }
  const accounts = await db.select().from(accountTable).where(eq(accountTable.userId, parsedUser.id));
  for (const row of accounts) {
    const parsed = selectAccountTableSchema.parse(row);
    ok(`account   provider ${parsed.providerId}  password hash stored: ${parsed.password ? "yes" : "no"}`);
  }
  const withSessions = await db.query.user.findFirst({
    where: eq(userTable.id, parsedUser.id),
    with: { sessions: true },
  });
  ok(`db.query.user.findFirst({ with: { sessions: true } }) → ${withSessions?.sessions.length} session(s)`);

  await client.close();
  console.log(`\n${pc.green(pc.bold("Demo finished."))} Next: ${pc.bold("npm test")}\n`);
}

main().catch((error: unknown) => {
  console.error(pc.red(`Demo failed: ${error instanceof Error ? error.message : String(error)}`));
  process.exitCode = 1;
});
