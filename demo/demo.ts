/**
 * `npm run demo`: the package's main job end to end on an embedded PGlite database (no server needed).
 * 1. run the shipped migrations with migrate();
 * 2. sign a user up and in through a real Better Auth wired with `authSchema`;
 * 3. read the rows back and validate them with the Zod select schemas;
 * 4. Better Auth plugins: defineAuthSchema({ plugins: ['admin', 'organization'] }) and migrate(db, { plugins }), then
 *    an admin bans and unbans a user, and an organization invites and accepts a member.
 */
import { PGlite } from "@electric-sql/pglite";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { admin, organization } from "better-auth/plugins";
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/pglite";
import pc from "picocolors";
import { migrate, migrationStatus } from "../src/migrate/index.js";
import {
  accountTable,
  authSchema,
  defineAuthSchema,
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
  await pluginsDemo();
  console.log(`\n${pc.green(pc.bold("Demo finished."))} Next: ${pc.bold("npm test")}\n`);
}

/** Step 6: the admin and organization plugins on their own database. */
async function pluginsDemo() {
  step(6, "Better Auth plugins: defineAuthSchema({ plugins: ['admin', 'organization'] })");
  const client = new PGlite();
  const s = defineAuthSchema({ plugins: ["admin", "organization"] });
  const db = drizzle(client, { schema: s.authSchema });
  const { applied } = await migrate(db, { plugins: ["admin", "organization"] });
  ok(`migrate(db, { plugins: ['admin', 'organization'] }) → ${applied.map((m) => m.tag).join(", ")}`);
  const auth = betterAuth({
    baseURL: "http://localhost:3000",
    secret: "demo-secret-demo-secret-demo-secret-0123",
    database: drizzleAdapter(db, { provider: "pg", schema: s.authSchema }),
    emailAndPassword: { enabled: true },
    plugins: [admin(), organization()],
    logger: { disabled: true },
  });
  const password = "correct horse battery";
  const signUp = async (name: string, email: string) => {
    const { headers, response } = await auth.api.signUpEmail({ body: { name, email, password }, returnHeaders: true });
    const cookie = headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    return { id: response.user.id, email, headers: new Headers({ cookie }) };
  };
  const grace = await signUp("Grace Hopper", "grace@example.com");
  const ada = await signUp("Ada Lovelace", "ada@example.com");
  await db.update(s.userTable).set({ role: "admin" }).where(eq(s.userTable.id, grace.id));
  ok("Grace is made an admin (user.role = 'admin', a column of the admin plugin)");

  const listed = await auth.api.listUsers({ headers: grace.headers, query: {} });
  ok(`admin: listUsers() → ${listed.total} users`);
  await auth.api.banUser({ headers: grace.headers, body: { userId: ada.id, banReason: "demo" } });
  const refused = await auth.api.signInEmail({ body: { email: ada.email, password } }).then(
    () => "signed in",
    (error: { body?: { code?: string } }) => error.body?.code ?? "refused",
  );
  ok(`admin: banUser(Ada) → Ada's sign-in: ${pc.yellow(refused)}`);
  await auth.api.unbanUser({ headers: grace.headers, body: { userId: ada.id } });
  const adaBack = await auth.api.signInEmail({ body: { email: ada.email, password }, returnHeaders: true });
  ok(`admin: unbanUser(Ada) → Ada signs in again (${adaBack.response.user.name})`);
  const adaCookie = new Headers({
    cookie: adaBack.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; "),
  });

  const org = await auth.api.createOrganization({
    headers: grace.headers,
    body: { name: "Analytical", slug: "analytical" },
  });
  const invitation = await auth.api.createInvitation({
    headers: grace.headers,
    body: { email: ada.email, role: "member", organizationId: org?.id as string },
  });
  await auth.api.acceptInvitation({ headers: adaCookie, body: { invitationId: invitation.id } });
  const withMembers = await db.query.organization.findFirst({
    where: eq(s.organizationTable.slug, "analytical"),
    with: { members: true },
  });
  ok(
    `organization: create, invite, accept → ${withMembers?.members.length} members (${withMembers?.members.map((m) => m.role).join(", ")})`,
  );
  await client.close();
}

main().catch((error: unknown) => {
  console.error(pc.red(`Demo failed: ${error instanceof Error ? error.message : String(error)}`));
  process.exitCode = 1;
});
